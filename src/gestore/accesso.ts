// Punto di accesso (pec-rules §1, §6): takes a user's submission, runs the formal checks,
// answers with ricevuta di accettazione or avviso di non accettazione, builds the busta di
// trasporto and queues it towards every destination, and arms the 12 h / 24 h timers.
import { acceptOriginal, extractFacts, readOriginal, type OriginalSummary } from '../pec/original.js';
import { newIdentificativo } from '../pec/identificativo.js';
import { readHeaders } from '../pec/mime-split.js';
import type { Destinatario, MessageFacts } from '../pec/types.js';
import type { Job } from '../store/types.js';
import { SmtpError, type Envelope } from '../smtp/listener.js';
import { containsEicar } from './antivirus.js';
import { log, type EngineContext } from './context.js';
import { domainOf } from './directory.js';
import { emit, queueRelay, senderAddress } from './emit.js';
import { JOB, type AccessoJob } from './jobs.js';
import { deliverToMailbox } from './mailbox.js';
import { startTimers } from './timers.js';

/** certificato when the domain is in the providers' index, esterno otherwise */
export function tipoOf(ctx: EngineContext, address: string): Destinatario['tipo'] {
  return ctx.directory.gestoreOfDomain(domainOf(address)) ? 'certificato' : 'esterno';
}

/**
 * SMTP DATA at the access point. Refusals the real providers give at the SMTP level are thrown
 * as SmtpError; everything else is committed as work and answered 250 with the identificativo.
 */
export function submit(ctx: EngineContext, gestoreId: string, raw: Buffer, envelope: Envelope): string {
  const summary = readOriginal(raw);
  const user = envelope.user ?? '';
  const from = summary.from?.address.toLowerCase();
  if (from && from !== envelope.mailFrom) {
    throw new SmtpError(553, `5.7.1 <${from}>: Sender address rejected: not owned by user ${user}`);
  }
  const gestore = ctx.directory.gestore(gestoreId);
  const at = ctx.clock.now();
  const identificativo = newIdentificativo(at, ctx.ids, gestore.mailDomain);
  const effect = ctx.faults.at('accesso.accept', {
    gestore: gestoreId, sender: envelope.mailFrom, recipient: envelope.rcptTo[0], subject: summary.subject, identificativo,
    headers: (name) => readHeaders(raw).get(name),
  });
  ctx.store.groupTransaction(() => {
    const blobId = ctx.store.putBlob(raw);
    const payload: AccessoJob = { gestore: gestoreId, blobId, mailFrom: envelope.mailFrom, rcptTo: envelope.rcptTo, user, identificativo };
    ctx.store.enqueueJob({ kind: JOB.accesso, dueAt: at + (effect.delayMs ?? 0), payload, key: `accesso:${identificativo}` });
    log(ctx, { gestore: gestoreId, actor: 'accesso', event: 'ricevuto', identificativo, messageId: summary.messageId ?? null, detail: { from: envelope.mailFrom, rcptTo: envelope.rcptTo, size: raw.length } });
  });
  ctx.wake();
  return `2.0.0 Ok: queued as ${identificativo}`;
}

/** the identificativo in the access point's 250 reply (what `submit` answers); null in any other reply */
export function identificativoFromReply(reply: string): string | null {
  return /queued as (\S+@\S+)/.exec(reply)?.[1] ?? null;
}

/** the formal checks of pec-rules §6, as reasons for errore-esteso (empty: accepted) */
export function formalChecks(summary: OriginalSummary, job: AccessoJob, maxMessageBytes: number, size: number): string[] {
  const reasons: string[] = [...summary.errors];
  if (!summary.from) reasons.push('campo From mancante o non valido');
  if (summary.to.length === 0) reasons.push('nessun destinatario valido nel campo To');
  if (summary.bcc.length > 0) reasons.push('destinatari in copia nascosta (Bcc) non ammessi');
  const listed = new Set([...summary.to, ...summary.cc].map((m) => m.address.toLowerCase()));
  for (const rcpt of job.rcptTo) {
    // What a client does with Bcc: the header is gone, the address is only in RCPT TO.
    if (!listed.has(rcpt.toLowerCase())) reasons.push(`destinatario ${rcpt} non presente nei campi To o Cc (destinatari Bcc non ammessi)`);
  }
  const recipients = Math.max(job.rcptTo.length, 1);
  if (size * recipients > maxMessageBytes) {
    reasons.push(`dimensione del messaggio per numero di destinatari (${size} x ${recipients} byte) oltre il limite di ${maxMessageBytes} byte`);
  }
  return reasons;
}

export async function processAccesso(ctx: EngineContext, job: Job): Promise<void> {
  const payload = job.payload as AccessoJob;
  const raw = ctx.store.getBlob(payload.blobId);
  if (!raw) throw new Error(`accesso: blob ${payload.blobId} is gone`);
  const gestore = ctx.directory.gestore(payload.gestore);
  const summary = readOriginal(raw);
  const { identificativo } = payload;
  const facts: MessageFacts = extractFacts(summary, identificativo, (address) => tipoOf(ctx, address));
  const reasons = formalChecks(summary, payload, gestore.limits.maxMessageBytes, raw.length);
  const virus = containsEicar(raw);

  if (reasons.length > 0 || virus) {
    const notice = await emit(ctx, payload.gestore, {
      kind: virus ? 'non-accettazione-virus' : 'non-accettazione',
      facts,
      to: payload.mailFrom,
      erroreEsteso: virus ? 'Rilevato virus nel messaggio (EICAR-Test-File)' : reasons.join('; '),
    });
    ctx.store.groupTransaction(() => {
      deliverToMailbox(ctx, payload.mailFrom, notice.raw, { identificativo });
      log(ctx, { gestore: gestore.id, actor: 'accesso', event: virus ? 'non-accettazione-virus' : 'non-accettazione', identificativo, messageId: facts.msgid, detail: { reasons } });
      ctx.store.deleteBlob(payload.blobId);
      ctx.store.completeJob(job.id);
    });
    return;
  }

  const { accepted } = acceptOriginal(raw, identificativo);
  const accettazione = await emit(ctx, payload.gestore, { kind: 'accettazione', facts, to: payload.mailFrom });
  const busta = await emit(ctx, payload.gestore, { kind: 'posta-certificata', facts, to: payload.rcptTo[0], original: accepted });
  const now = ctx.clock.now();
  const toSet = new Set(facts.to.map((a) => a.toLowerCase()));
  ctx.store.groupTransaction(() => {
    deliverToMailbox(ctx, payload.mailFrom, accettazione.raw, { identificativo });
    ctx.store.createFlow({
      identificativo,
      gestore: gestore.id,
      sender: payload.mailFrom,
      clientMessageId: facts.msgid ?? '',
      subject: facts.oggetto,
      receiptType: facts.ricevuta,
      createdAt: now,
      recipients: payload.rcptTo.map((address) => {
        const tipo = tipoOf(ctx, address);
        return { address, type: tipo, header: toSet.has(address) ? 'to' : 'cc', state: tipo === 'esterno' ? 'external' : 'pending', updatedAt: now };
      }),
    });
    queueRelay(ctx, { gestore: gestore.id, raw: busta.raw, from: senderAddress(ctx, gestore.id), to: payload.rcptTo, purpose: 'busta', keyBase: `busta:${identificativo}`, identificativo });
    if (payload.rcptTo.some((a) => tipoOf(ctx, a) === 'certificato')) startTimers(ctx, gestore.id, identificativo, facts, now);
    log(ctx, { gestore: gestore.id, actor: 'accesso', event: 'accettazione', identificativo, messageId: facts.msgid, detail: { recipients: facts.destinatari } });
    log(ctx, { gestore: gestore.id, actor: 'accesso', event: 'busta-emessa', identificativo, messageId: busta.messageId, detail: { to: payload.rcptTo } });
    ctx.store.deleteBlob(payload.blobId);
    ctx.store.completeJob(job.id);
  });
  ctx.wake();
}
