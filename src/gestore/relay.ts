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

export async function processRelay(ctx: EngineContext, job: Job): Promise<void> {
  const payload = job.payload as RelayJob;
  const raw = ctx.store.getBlob(payload.blobId);
  if (!raw) throw new Error(`relay: blob ${payload.blobId} is gone`);
  const gestoreForLog = payload.gestore ?? 'ordinaria';
  const effect = payload.gestore
    ? ctx.faults.at('relay.send', { gestore: payload.gestore, sender: payload.from, recipient: payload.to[0], identificativo: payload.identificativo, kind: payload.purpose })
    : {};
  if (effect.drop) {
    ctx.store.transaction(() => {
      log(ctx, { gestore: gestoreForLog, actor: 'relay', event: 'scartato', identificativo: payload.identificativo ?? null, detail: { to: payload.to, rule: effect.rule } });
      ctx.store.completeJob(job.id);
    });
    return;
  }
  if (effect.relayTransientError) throw new Error(effect.relayTransientError);

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

  const failures = payload.purpose === 'busta' && payload.gestore ? await nonDeliveryNotices(ctx, payload, raw, rejected, !target) : [];
  ctx.store.transaction(() => {
    log(ctx, {
      gestore: gestoreForLog,
      actor: 'relay',
      event: rejected.length === payload.to.length ? 'inoltro-fallito' : 'inoltrato',
      identificativo: payload.identificativo ?? null,
      detail: { purpose: payload.purpose, to: payload.to, domain: payload.domain, target, rejected },
    });
    for (const failure of failures) {
      deliverToMailbox(ctx, failure.to, failure.raw);
      if (payload.identificativo) ctx.store.setRecipientState(payload.identificativo, failure.recipient, 'failed', ctx.clock.now());
      log(ctx, { gestore: gestoreForLog, actor: 'relay', event: 'errore-consegna', identificativo: payload.identificativo ?? null, detail: { recipient: failure.recipient, errore: failure.errore } });
    }
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
