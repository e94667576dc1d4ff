// The gestori at work: the job handlers of every point (accesso, relay, ricezione, consegna,
// timers) and the two entrances from SMTP (submission and MX). One engine serves every gestore
// of the topology; each job names the gestore it acts for.
import type { Job } from '../store/types.js';
import { SmtpError, type Envelope } from '../smtp/listener.js';
import { processAccesso, submit } from './accesso.js';
import type { EngineContext } from './context.js';
import { processConsegna } from './consegna.js';
import { queueRelay } from './emit.js';
import { JOB } from './jobs.js';
import { processRelay } from './relay.js';
import { checkRecipient, processRicezione, receive } from './ricezione.js';
import { processTimer } from './timers.js';
import type { JobHandler } from './runner.js';

export interface Engine {
  handlers: Record<string, JobHandler>;
  /** MAIL FROM at submission: the authenticated user may only send as itself */
  checkSender(address: string, envelope: Envelope): void;
  /** DATA at submission (punto di accesso, or plain relay for ordinary-mail users) */
  submit(raw: Buffer, envelope: Envelope): Promise<string>;
  /** RCPT TO at the MX */
  checkRecipient(address: string): void;
  /** DATA at the MX (punto di ricezione) */
  receive(raw: Buffer, envelope: Envelope): Promise<string>;
}

export function createEngine(ctx: EngineContext): Engine {
  const wrap = (fn: (ctx: EngineContext, job: Job) => Promise<void> | void): JobHandler => async (job) => fn(ctx, job);
  return {
    handlers: {
      [JOB.accesso]: wrap(processAccesso),
      [JOB.relay]: wrap(processRelay),
      [JOB.ricezione]: wrap(processRicezione),
      [JOB.consegna]: wrap(processConsegna),
      [JOB.timer]: wrap(processTimer),
    },
    checkSender(address, envelope) {
      if (!envelope.user || address !== envelope.user.toLowerCase()) {
        throw new SmtpError(553, `5.7.1 <${address}>: Sender address rejected: not owned by user ${envelope.user ?? ''}`);
      }
    },
    async submit(raw, envelope) {
      const account = ctx.store.getAccount(envelope.user ?? '');
      if (!account) throw new SmtpError(530, '5.7.0 Authentication required');
      if (account.gestore) {
        // The listener's SIZE is the largest cap of all gestori; each one enforces its own.
        const cap = ctx.directory.gestore(account.gestore).limits.hardCapBytes;
        if (raw.length > cap) throw new SmtpError(552, `5.3.4 Message size exceeds fixed maximum message size (${cap})`);
        const reply = submit(ctx, account.gestore, raw, envelope);
        await ctx.store.committed();
        return reply;
      }
      // An ordinary-mail user: plain SMTP relay, no certification (towards PEC it becomes an anomalia).
      ctx.store.groupTransaction(() => {
        queueRelay(ctx, { gestore: null, raw, from: envelope.mailFrom, to: envelope.rcptTo, purpose: 'ordinary', keyBase: `ordinaria:${ctx.ids.token(20)}` });
      });
      ctx.wake();
      await ctx.store.committed();
      return '2.0.0 Ok: queued';
    },
    checkRecipient(address) {
      checkRecipient(ctx, address);
    },
    async receive(raw, envelope) {
      const reply = receive(ctx, raw, envelope);
      await ctx.store.committed();
      return reply;
    },
  };
}
