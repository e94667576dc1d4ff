// Punto di ricezione (pec-rules §1, §7): the MX of the PEC domains. It checks that what arrives
// is signed by a provider of the index for one of that provider's domains, then: a busta gets a
// presa in carico (or rilevazione virus) and goes to the delivery point; a receipt goes to its
// user (and updates the sender-side flow); anything else becomes a busta di anomalia.
import { createHash } from 'node:crypto';
import type { CmsVerdict } from '../pki/cms-verify.js';
import type { Job, RecipientState } from '../store/types.js';
import { SmtpError, type Envelope } from '../smtp/listener.js';
import { log, type EngineContext } from './context.js';
import { domainOf, type GestoreConfig } from './directory.js';
import { emit, queueRelay, senderAddress } from './emit.js';
import { displayOf, factsFromParsed } from './facts.js';
import type { InspectedPec } from './inspection.js';
import { JOB, type ConsegnaJob, type RicezioneJob } from './jobs.js';
import { deliverToMailbox } from './mailbox.js';
import { settleTimers } from './timers.js';

/** RCPT TO at the MX: only domains this testbed serves; ordinary domains only known mailboxes unless open */
export function checkRecipient(ctx: EngineContext, address: string): void {
  const domain = domainOf(address);
  if (ctx.directory.gestoreOfDomain(domain)) return;
  const ordinary = ctx.directory.ordinaryDomain(domain);
  if (!ordinary) throw new SmtpError(554, `5.7.1 <${address}>: Relay access denied`);
  if (!ordinary.acceptAny && !ctx.store.getAccount(address)) throw new SmtpError(550, `5.1.1 <${address}>: Recipient address rejected: User unknown`);
}

/** SMTP DATA at the MX: one ricezione job per receiving gestore (or ordinary domain), committed before 250 */
export function receive(ctx: EngineContext, raw: Buffer, envelope: Envelope): string {
  const groups = new Map<string | null, string[]>();
  for (const rcpt of envelope.rcptTo) {
    const owner = ctx.directory.gestoreOfDomain(domainOf(rcpt))?.id ?? null;
    groups.set(owner, [...(groups.get(owner) ?? []), rcpt]);
  }
  // The same message arriving twice (a relay retried after a lost reply) is processed once.
  const fingerprint = createHash('sha256').update(raw).digest('hex').slice(0, 32);
  ctx.store.groupTransaction(() => {
    const blobId = ctx.store.putBlob(raw);
    for (const [gestore, rcptTo] of groups) {
      const payload: RicezioneJob = { gestore, blobId, mailFrom: envelope.mailFrom, rcptTo };
      ctx.store.enqueueJob({ kind: JOB.ricezione, dueAt: ctx.clock.now(), payload, key: `ricezione:${gestore ?? 'ordinaria'}:${fingerprint}:${rcptTo.join(',')}` });
    }
  });
  ctx.wake();
  return '2.0.0 Ok: queued';
}

interface Provenance {
  ok: boolean;
  signer: GestoreConfig | undefined;
  reasons: string[];
}

/** §7.1: signed, valid, by a certificate of the index, for a domain of that provider */
function provenance(ctx: EngineContext, parsed: InspectedPec, verdict: CmsVerdict | null): Provenance {
  const reasons: string[] = [];
  if (!verdict) return { ok: false, signer: undefined, reasons: ['messaggio non firmato'] };
  if (!verdict.ok) reasons.push(...verdict.errors.map((e) => `firma non valida: ${e}`));
  const signer = verdict.signer ? ctx.directory.gestoreByFingerprint(verdict.signer.fingerprintSha1) : undefined;
  if (!signer) reasons.push('certificato di firma non presente nell\'indice dei gestori');
  const fromDomain = domainOf(parsed.from?.address ?? '').toLowerCase();
  if (signer && !signer.domains.includes(fromDomain)) reasons.push(`il dominio ${fromDomain} non è gestito da ${signer.name}`);
  return { ok: reasons.length === 0, signer, reasons };
}

export async function processRicezione(ctx: EngineContext, job: Job): Promise<void> {
  const payload = job.payload as RicezioneJob;
  const raw = ctx.store.getBlob(payload.blobId);
  if (!raw) throw new Error(`ricezione: blob ${payload.blobId} is gone`);
  if (payload.gestore === null) return receiveOrdinary(ctx, job, payload, raw);
  const gestore = ctx.directory.gestore(payload.gestore);
  const { parsed, verdict, infected } = await ctx.pec.inspect(raw, ctx.clock.now());
  const origin = provenance(ctx, parsed, verdict);
  if (origin.ok && origin.signer && parsed.kind === 'posta-certificata') return receiveBusta(ctx, job, payload, gestore, origin.signer, raw, parsed, infected);
  if (origin.ok && parsed.kind && parsed.kind !== 'anomalia' && parsed.kind !== 'posta-certificata') return receiveReceipt(ctx, job, payload, gestore, raw, parsed);
  return receiveAnomalia(ctx, job, payload, gestore, raw, parsed, origin.reasons.length ? origin.reasons : ['messaggio non riconosciuto come posta certificata']);
}

/** `infectedMessage`: the original carries a virus (the PEC thread scanned it with the parse) */
async function receiveBusta(
  ctx: EngineContext, job: Job, payload: RicezioneJob, gestore: GestoreConfig, sender: GestoreConfig, raw: Buffer, parsed: InspectedPec, infectedMessage: boolean,
): Promise<void> {
  const facts = factsFromParsed(parsed);
  if (!facts) return receiveAnomalia(ctx, job, payload, gestore, raw, parsed, ['daticert.xml mancante o incompleto']);
  const original = parsed.postacert?.raw;
  const originalHeaders = parsed.postacert?.parsed.headers;
  // Asked per recipient: one busta can carry a recipient whose provider stays silent and one that answers.
  const effects = new Map(payload.rcptTo.map((recipient) => [recipient, ctx.faults.at('ricezione.receive', {
    gestore: gestore.id, sender: facts.mittente, recipient, subject: facts.oggetto, identificativo: facts.identificativo,
    kind: 'posta-certificata', headers: originalHeaders && ((name) => originalHeaders.get(name)),
  })]));
  const silent = payload.rcptTo.filter((r) => effects.get(r)!.drop);
  const heard = payload.rcptTo.filter((r) => !effects.get(r)!.drop);
  const infected = heard.filter((r) => infectedMessage || effects.get(r)!.deliveryError === 'virus');
  const taken = heard.filter((r) => !infected.includes(r));

  const answers: Array<{ virus: boolean; to: string[]; raw: Buffer; messageId: string }> = [];
  for (const [virus, concerned] of [[true, infected], [false, taken]] as const) {
    if (concerned.length === 0) continue;
    const answer = await emit(ctx, gestore.id, {
      kind: virus ? 'rilevazione-virus' : 'presa-in-carico',
      facts,
      to: sender.receiptMailbox,
      ricezione: concerned,
      erroreEsteso: virus ? `Rilevato virus nel messaggio (EICAR-Test-File) - ${gestore.name}` : undefined,
    });
    answers.push({ virus, to: concerned, raw: answer.raw, messageId: answer.messageId });
  }
  ctx.store.groupTransaction(() => {
    if (silent.length > 0) {
      log(ctx, { gestore: gestore.id, actor: 'ricezione', event: 'silenzio', identificativo: facts.identificativo, detail: { rcptTo: silent, rule: silent.map((r) => effects.get(r)!.rule).join(',') } });
    }
    for (const answer of answers) {
      queueRelay(ctx, {
        gestore: gestore.id, raw: answer.raw, from: senderAddress(ctx, gestore.id), to: [sender.receiptMailbox],
        purpose: 'receipt', keyBase: `${answer.virus ? 'virus' : 'presa'}:${facts.identificativo}:${gestore.id}:${answer.to.join(',')}`, identificativo: facts.identificativo,
      });
      log(ctx, { gestore: gestore.id, actor: 'ricezione', event: answer.virus ? 'rilevazione-virus' : 'presa-in-carico', identificativo: facts.identificativo, messageId: answer.messageId, detail: { ricezione: answer.to, mittente: facts.mittente } });
    }
    if (taken.length > 0) {
      const originalBlobId = original ? ctx.store.putBlob(original) : undefined;
      const toSet = new Set(facts.to);
      for (const recipient of taken) {
        const consegna: ConsegnaJob = {
          gestore: gestore.id, blobId: payload.blobId, recipient, header: toSet.has(recipient) ? 'to' : 'cc', facts, flavour: facts.ricevuta, originalBlobId,
        };
        ctx.store.enqueueJob({ kind: JOB.consegna, dueAt: ctx.clock.now() + (effects.get(recipient)!.delayMs ?? 0), payload: consegna, key: `consegna:${facts.identificativo}:${recipient}` });
      }
    }
    ctx.store.completeJob(job.id);
  });
  ctx.wake();
}

const STATE_RANK: Record<RecipientState, number> = { external: 0, pending: 1, taken: 2, preavviso: 3, expired: 4, delivered: 5, failed: 5 };

function advance(ctx: EngineContext, identificativo: string, address: string, state: RecipientState): void {
  const flow = ctx.store.getFlow(identificativo);
  const recipient = flow?.recipients.find((r) => r.address.toLowerCase() === address.toLowerCase());
  if (!recipient || STATE_RANK[recipient.state] > STATE_RANK[state]) return;
  ctx.store.setRecipientState(identificativo, recipient.address, state, ctx.clock.now());
}

async function receiveReceipt(ctx: EngineContext, job: Job, payload: RicezioneJob, gestore: GestoreConfig, raw: Buffer, parsed: InspectedPec): Promise<void> {
  const identificativo = parsed.daticert?.identificativo ?? null;
  const flow = identificativo ? ctx.store.getFlow(identificativo) : undefined;
  const ours = flow && flow.gestore === gestore.id ? flow : undefined;
  // rilevazione virus: the sender's gestore answers its user with mancata consegna per virus.
  const virusNotices: Array<{ recipient: string; raw: Buffer }> = [];
  if (parsed.kind === 'rilevazione-virus' && ours) {
    const facts = factsFromParsed(parsed);
    for (const recipient of facts ? parsed.daticert?.ricezione ?? [] : []) {
      const notice = await emit(ctx, gestore.id, {
        kind: 'errore-consegna-virus', facts: facts!, to: ours.sender, consegna: recipient,
        erroreEsteso: `5.7.1 - ${gestore.name} - virus rilevato dal gestore del destinatario`,
      });
      virusNotices.push({ recipient, raw: notice.raw });
    }
  }
  ctx.store.groupTransaction(() => {
    for (const rcpt of payload.rcptTo) {
      if (ctx.store.getAccount(rcpt)) deliverToMailbox(ctx, rcpt, raw, { identificativo });
      else log(ctx, { gestore: gestore.id, actor: 'ricezione', event: 'destinatario-sconosciuto', identificativo, detail: { rcpt, kind: parsed.kind } });
    }
    if (ours && identificativo) {
      const d = parsed.daticert;
      if (parsed.kind === 'presa-in-carico') for (const r of d?.ricezione ?? []) advance(ctx, identificativo, r, 'taken');
      if (parsed.kind === 'avvenuta-consegna' && d?.consegna) advance(ctx, identificativo, d.consegna, 'delivered');
      if (parsed.kind === 'errore-consegna' && d?.consegna) advance(ctx, identificativo, d.consegna, 'failed');
      for (const notice of virusNotices) {
        deliverToMailbox(ctx, ours.sender, notice.raw, { identificativo });
        advance(ctx, identificativo, notice.recipient, 'failed');
      }
      settleTimers(ctx, identificativo);
    }
    log(ctx, { gestore: gestore.id, actor: 'ricezione', event: `ricevuta-${parsed.variant ?? parsed.kind}`, identificativo, messageId: parsed.ids.messageId, detail: { rcptTo: payload.rcptTo, consegna: parsed.daticert?.consegna ?? null } });
    ctx.store.completeJob(job.id);
  });
}

async function receiveAnomalia(ctx: EngineContext, job: Job, payload: RicezioneJob, gestore: GestoreConfig, raw: Buffer, parsed: InspectedPec, reasons: string[]): Promise<void> {
  const local = payload.rcptTo.filter((rcpt) => ctx.store.getAccount(rcpt));
  const built: Array<{ rcpt: string; raw: Buffer; messageId: string }> = [];
  for (const rcpt of local) {
    const anomalia = await emit(ctx, gestore.id, { kind: 'anomalia', facts: anomaliaFacts(parsed, rcpt), to: rcpt, original: raw, erroreEsteso: reasons.join('; ') });
    built.push({ rcpt, raw: anomalia.raw, messageId: anomalia.messageId });
  }
  ctx.store.groupTransaction(() => {
    for (const b of built) deliverToMailbox(ctx, b.rcpt, b.raw);
    log(ctx, { gestore: gestore.id, actor: 'ricezione', event: 'anomalia', messageId: parsed.ids.messageId, detail: { rcptTo: payload.rcptTo, delivered: local, reasons } });
    ctx.store.completeJob(job.id);
  });
}

/** an anomalia has no daticert; its facts only fill the notice text and headers */
function anomaliaFacts(parsed: InspectedPec, rcpt: string) {
  const from = parsed.from?.address ?? '';
  const all = [...parsed.to, ...parsed.cc].map((m) => m.address.toLowerCase());
  return {
    mittente: from,
    mittenteDisplay: parsed.from ? displayOf(parsed.from) : '',
    destinatari: (all.length ? all : [rcpt]).map((address) => ({ address, tipo: 'certificato' as const })),
    to: parsed.to.map((m) => m.address.toLowerCase()),
    risposte: from,
    oggetto: parsed.subject ?? '',
    identificativo: parsed.ids.messageId?.replace(/^<|>$/g, '') ?? '',
    msgid: parsed.ids.messageId,
    ricevuta: 'completa' as const,
  };
}

function receiveOrdinary(ctx: EngineContext, job: Job, payload: RicezioneJob, raw: Buffer): void {
  ctx.store.groupTransaction(() => {
    for (const rcpt of payload.rcptTo) {
      const ordinary = ctx.directory.ordinaryDomain(domainOf(rcpt));
      if (!ctx.store.getAccount(rcpt)) {
        if (!ordinary?.acceptAny) continue;
        ctx.store.createAccount({ address: rcpt, password: 'pec', gestore: null });
      }
      deliverToMailbox(ctx, rcpt, raw);
    }
    log(ctx, { gestore: 'ordinaria', actor: 'ricezione', event: 'posta-ordinaria', detail: { rcptTo: payload.rcptTo, from: payload.mailFrom } });
    ctx.store.completeJob(job.id);
  });
}
