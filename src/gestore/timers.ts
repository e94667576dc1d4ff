// The sender-side timers (pec-rules §7): a recipient with no avvenuta consegna / errore after
// 12 h gets a preavviso; still nothing at 24 h, the final notice. Both are emitted by the
// sender's access point into the sender's mailbox, one per pending recipient. Once no recipient
// of a flow is waiting, its timers are cancelled: on a long run they would otherwise pile up in
// the job queue and all fire, to no effect, when the clock passes them.
import type { MessageFacts } from '../pec/types.js';
import type { Job, RecipientState } from '../store/types.js';
import { log, type EngineContext } from './context.js';
import { emit } from './emit.js';
import { HOUR, JOB, type TimerJob } from './jobs.js';
import { deliverToMailbox } from './mailbox.js';

const STAGES = ['12h', '24h'] as const;

const WAITING: Record<TimerJob['stage'], RecipientState[]> = {
  '12h': ['pending', 'taken'],
  '24h': ['pending', 'taken', 'preavviso'],
};

const timerKey = (stage: TimerJob['stage'], identificativo: string) => `timer:${stage}:${identificativo}`;

/** both timers of a flow just accepted, in the transaction that records it */
export function startTimers(ctx: EngineContext, gestore: string, identificativo: string, facts: MessageFacts, now: number): void {
  for (const stage of STAGES) {
    const timer: TimerJob = { gestore, identificativo, stage, facts, lane: `timer:${identificativo}` };
    ctx.store.enqueueJob({ kind: JOB.timer, dueAt: now + (stage === '12h' ? 12 : 24) * HOUR, payload: timer, key: timerKey(stage, identificativo) });
  }
}

/** after a recipient of the flow reached a final state: cancels its timers when nobody is waiting */
export function settleTimers(ctx: EngineContext, identificativo: string): void {
  const flow = ctx.store.getFlow(identificativo);
  if (!flow || flow.recipients.some((r) => r.type === 'certificato' && WAITING['24h'].includes(r.state))) return;
  for (const stage of STAGES) ctx.store.cancelJobs({ key: timerKey(stage, identificativo) });
}

export async function processTimer(ctx: EngineContext, job: Job): Promise<void> {
  const payload = job.payload as TimerJob;
  const flow = ctx.store.getFlow(payload.identificativo);
  if (!flow) {
    ctx.store.completeJob(job.id);
    return;
  }
  const { facts } = payload;
  const late = flow.recipients.filter((r) => r.type === 'certificato' && WAITING[payload.stage].includes(r.state));
  const gestore = ctx.directory.gestore(payload.gestore);
  const notices: Array<{ recipient: string; raw: Buffer; messageId: string }> = [];
  for (const recipient of late) {
    const notice = await emit(ctx, gestore.id, {
      kind: payload.stage === '12h' ? 'preavviso-12h' : 'errore-24h',
      facts,
      to: flow.sender,
      consegna: recipient.address,
      erroreEsteso: payload.stage === '12h'
        ? `4.4.7 - ${gestore.name} - nessuna ricevuta entro 12 ore`
        : `5.4.7 - ${gestore.name} - nessuna ricevuta entro 24 ore`,
    });
    notices.push({ recipient: recipient.address, raw: notice.raw, messageId: notice.messageId });
  }
  ctx.store.groupTransaction(() => {
    const now = ctx.clock.now();
    for (const notice of notices) {
      deliverToMailbox(ctx, flow.sender, notice.raw, { identificativo: flow.identificativo });
      ctx.store.setRecipientState(flow.identificativo, notice.recipient, payload.stage === '12h' ? 'preavviso' : 'expired', now);
      log(ctx, { gestore: gestore.id, actor: 'timer', event: payload.stage === '12h' ? 'preavviso-12h' : 'errore-24h', identificativo: flow.identificativo, messageId: notice.messageId, detail: { recipient: notice.recipient } });
    }
    ctx.store.completeJob(job.id);
  });
}
