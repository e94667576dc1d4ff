// Handing a message to the next hop over SMTP, with retries while the hop is down. When a busta
// cannot be handed off for good (no such domain, permanent refusal) the sender's gestore itself
// answers with avviso di mancata consegna (pec-rules §2, "or sender's gestore when it cannot hand off").
import type { Job } from '../store/types.js';
import { PermanentRelayError } from '../smtp/client.js';
import { log, type EngineContext } from './context.js';
import { emit } from './emit.js';
import type { RelayJob } from './jobs.js';
import { deliverToMailbox } from './mailbox.js';
import { parsePec } from '../pec/parse.js';
import { factsFromParsed } from './facts.js';
import type { FaultEffect, FaultSubject } from './faults.js';
import { metaOf } from './mailbox.js';
import { settleTimers } from './timers.js';

export async function processRelay(ctx: EngineContext, job: Job): Promise<void> {
  const payload = job.payload as RelayJob;
  const stored = ctx.store.getBlob(payload.blobId);
  if (!stored) throw new Error(`relay: blob ${payload.blobId} is gone`);
  const gestoreForLog = payload.gestore ?? 'ordinaria';
  // A postponed job carries the decision taken the first time: a rule is applied once per message.
  const effect: FaultEffect = payload.postponed ?? (payload.gestore ? ctx.faults.at('relay.send', subjectOf(payload, stored)) : {});
  if (effect.drop) {
    ctx.store.groupTransaction(() => {
      log(ctx, { gestore: gestoreForLog, actor: 'relay', event: 'scartato', identificativo: payload.identificativo ?? null, detail: { to: payload.to, rule: effect.rule } });
      ctx.store.completeJob(job.id);
    });
    return;
  }
  if (effect.delayMs && !payload.postponed) {
    ctx.store.groupTransaction(() => {
      const later: RelayJob = { ...payload, postponed: { ...effect, delayMs: undefined } };
      ctx.store.enqueueJob({ kind: job.kind, dueAt: ctx.clock.now() + effect.delayMs!, payload: later, key: job.key && `${job.key}:rinviato` });
      log(ctx, { gestore: gestoreForLog, actor: 'relay', event: 'rinviato', identificativo: payload.identificativo ?? null, detail: { to: payload.to, delayMs: effect.delayMs, rule: effect.rule } });
      ctx.store.completeJob(job.id);
    });
    ctx.wake();
    return;
  }
  if (effect.relayTransientError) throw new Error(effect.relayTransientError);
  const raw = effect.corruptSignature ? tamperSignedContent(stored) : stored;

  const target = ctx.route(payload.domain);
  let rejected: Array<{ address: string; code: number; response: string }> = [];
  if (!target) {
    rejected = payload.to.map((address) => ({ address, code: 550, response: `5.1.2 dominio ${payload.domain} inesistente` }));
  } else {
    try {
      const outcome = await ctx.relay.send({ target, from: payload.from, to: payload.to, raw });
      rejected = outcome.rejected;
    } catch (error) {
      if (!(error instanceof PermanentRelayError)) throw error;
      rejected = payload.to.map((address) => ({ address, code: error.code, response: error.message }));
    }
  }

  const failures = payload.purpose === 'busta' && payload.gestore ? await nonDeliveryNotices(ctx, payload, stored, rejected, !target) : [];
  ctx.store.groupTransaction(() => {
    log(ctx, {
      gestore: gestoreForLog,
      actor: 'relay',
      event: rejected.length === payload.to.length ? 'inoltro-fallito' : 'inoltrato',
      identificativo: payload.identificativo ?? null,
      detail: { purpose: payload.purpose, to: payload.to, domain: payload.domain, target, rejected },
    });
    for (const failure of failures) {
      deliverToMailbox(ctx, failure.to, failure.raw, { identificativo: payload.identificativo ?? null });
      if (payload.identificativo) ctx.store.setRecipientState(payload.identificativo, failure.recipient, 'failed', ctx.clock.now());
      log(ctx, { gestore: gestoreForLog, actor: 'relay', event: 'errore-consegna', identificativo: payload.identificativo ?? null, detail: { recipient: failure.recipient, errore: failure.errore } });
    }
    if (payload.identificativo && failures.length > 0) settleTimers(ctx, payload.identificativo);
    ctx.store.completeJob(job.id);
  });
}

async function nonDeliveryNotices(
  ctx: EngineContext,
  payload: RelayJob,
  busta: Buffer,
  rejected: Array<{ address: string; code: number; response: string }>,
  noDomain: boolean,
): Promise<Array<{ to: string; recipient: string; raw: Buffer; errore: 'no-dominio' | 'no-dest' | 'altro' }>> {
  if (rejected.length === 0 || !payload.gestore) return [];
  const facts = factsFromParsed(parsePec(busta));
  if (!facts) return [];
  const gestore = ctx.directory.gestore(payload.gestore);
  const out: Array<{ to: string; recipient: string; raw: Buffer; errore: 'no-dominio' | 'no-dest' | 'altro' }> = [];
  for (const r of rejected) {
    const errore: 'no-dominio' | 'no-dest' | 'altro' = noDomain ? 'no-dominio' : r.code === 550 && /5\.1\.1/.test(r.response) ? 'no-dest' : 'altro';
    const notice = await emit(ctx, payload.gestore, {
      kind: 'errore-consegna',
      facts,
      to: facts.mittente,
      consegna: r.address,
      errore,
      erroreEsteso: `${noDomain ? '5.1.2' : (r.response.match(/\d\.\d\.\d+/)?.[0] ?? `${r.code}`)} - ${gestore.name} - ${noDomain ? 'dominio non presente' : r.response}`,
    });
    out.push({ to: facts.mittente, recipient: r.address, raw: notice.raw, errore });
  }
  return out;
}

function subjectOf(payload: RelayJob, raw: Buffer): FaultSubject {
  const meta = metaOf(raw);
  return {
    gestore: payload.gestore ?? undefined, sender: payload.from, recipient: payload.to[0], identificativo: payload.identificativo,
    kind: meta.kind ?? 'ordinaria', subject: meta.subject ?? undefined,
  };
}

/**
 * The same message with one byte of its signed part changed in a way every MIME reader ignores
 * (the case of a header name), so that only the signature check notices: what a broken
 * relay or a re-encoding gateway does to a busta.
 */
export function tamperSignedContent(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  const signedStart = text.search(/\r\n--[^\r\n]+\r\n/);
  const at = signedStart < 0 ? -1 : text.indexOf('Content-Type:', signedStart + 4);
  if (at < 0) return Buffer.concat([raw, Buffer.from('\r\n', 'latin1')]);
  return Buffer.from(`${text.slice(0, at)}Content-type:${text.slice(at + 'Content-Type:'.length)}`, 'latin1');
}
