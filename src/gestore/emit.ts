// Emitting a signed PEC message in the name of a gestore, at the clock's current time, and the
// two ways it leaves: into a mailbox of the same gestore, or to the next hop over SMTP (a relay
// job, committed with whatever caused it).
import type { PecRequest } from '../pec/build.js';
import type { Job } from '../store/types.js';
import type { EngineContext } from './context.js';
import { domainOf } from './directory.js';
import { JOB, type RelayJob, type RelayPurpose } from './jobs.js';

export interface Emitted {
  raw: Buffer;
  messageId: string;
}

/** the kinds that carry mail; every other kind is a receipt or notice answering somebody */
const CARRIERS = new Set<PecRequest['kind']>(['posta-certificata', 'anomalia']);

export async function emit(ctx: EngineContext, gestoreId: string, request: PecRequest): Promise<Emitted> {
  const { facts } = request;
  const concerned = request.consegna ?? request.ricezione?.join(',') ?? request.to;
  let built = request;
  if (!CARRIERS.has(request.kind)) {
    // Provider quirks are properties of how a gestore writes its receipts: one point for all of them.
    const quirk = ctx.faults.at('receipt.emit', {
      gestore: gestoreId, sender: facts.mittente, recipient: request.consegna ?? request.ricezione?.[0] ?? request.to,
      subject: facts.oggetto, identificativo: facts.identificativo, kind: request.kind,
    });
    built = {
      ...request,
      omitMsgid: quirk.omitMsgid ?? request.omitMsgid,
      tipoOverride: quirk.tipoOverride ?? request.tipoOverride,
      erroreEsteso: quirk.erroreEsteso ?? request.erroreEsteso,
      erroreEstesoPrefix: quirk.erroreEstesoPrefix ?? request.erroreEstesoPrefix,
    };
  }
  const seed = ctx.seedFor?.(`${gestoreId}|${request.kind}|${facts.identificativo}|${concerned}`) ?? null;
  return ctx.pec.build(gestoreId, ctx.clock.now(), seed, built);
}

export function senderAddress(ctx: EngineContext, gestoreId: string): string {
  return `posta-certificata@${ctx.directory.gestore(gestoreId).mailDomain}`;
}

/**
 * Queues `raw` for SMTP delivery to `to`, one relay job per destination domain. Call inside the
 * transaction that commits the cause; `keyBase` makes a replay of that cause a no-op.
 */
export function queueRelay(
  ctx: EngineContext,
  options: { gestore: string | null; raw: Buffer; from: string; to: string[]; purpose: RelayPurpose; keyBase: string; identificativo?: string; delayMs?: number },
): Job[] {
  const blobId = ctx.store.putBlob(options.raw);
  const byDomain = new Map<string, string[]>();
  for (const address of options.to) {
    const domain = domainOf(address);
    byDomain.set(domain, [...(byDomain.get(domain) ?? []), address]);
  }
  const jobs: Job[] = [];
  for (const [domain, to] of byDomain) {
    const payload: RelayJob = { gestore: options.gestore, blobId, from: options.from, to, domain, purpose: options.purpose, identificativo: options.identificativo };
    const job = ctx.store.enqueueJob({ kind: JOB.relay, dueAt: ctx.clock.now() + (options.delayMs ?? 0), payload, key: `${options.keyBase}:${domain}` });
    if (job) jobs.push(job);
  }
  return jobs;
}
