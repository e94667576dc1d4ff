// Punto di consegna (pec-rules §1, §7.4): stores a verified busta into one recipient's mailbox
// and answers the sender, per recipient, with ricevuta di avvenuta consegna (in the flavour the
// sender asked for) or avviso di mancata consegna (no-dest: unknown mailbox; altro: full or disabled).
import type { Job } from '../store/types.js';
import { log, type EngineContext } from './context.js';
import { emit, queueRelay, senderAddress, type Emitted } from './emit.js';
import type { ConsegnaJob } from './jobs.js';
import { deliverToMailbox, mailboxProblem } from './mailbox.js';

export async function processConsegna(ctx: EngineContext, job: Job): Promise<void> {
  const payload = job.payload as ConsegnaJob;
  const busta = ctx.store.getBlob(payload.blobId);
  if (!busta) throw new Error(`consegna: blob ${payload.blobId} is gone`);
  const gestore = ctx.directory.gestore(payload.gestore);
  const { facts, recipient } = payload;
  const effect = ctx.faults.at('consegna.deliver', {
    gestore: gestore.id, sender: facts.mittente, recipient, subject: facts.oggetto, identificativo: facts.identificativo, kind: 'posta-certificata',
  });
  if (effect.drop) {
    ctx.store.groupTransaction(() => {
      log(ctx, { gestore: gestore.id, actor: 'consegna', event: 'silenzio', identificativo: facts.identificativo, detail: { recipient, rule: effect.rule } });
      ctx.store.completeJob(job.id);
    });
    return;
  }
  // The receipt names the recipient as the sender wrote it; the mailbox may differ (`+tag`).
  const mailbox = effect.mailbox ?? recipient;
  const problem = effect.deliveryError === 'no-dest' || effect.deliveryError === 'altro'
    ? effect.deliveryError
    : mailboxProblem(ctx, mailbox, busta.length, gestore.id);

  // A duplicate is a second, separately signed receipt (what real providers' glitches produce),
  // so that the receiving MX does not fold it into the first.
  const receipts: Emitted[] = [];
  for (let copy = 0; copy < (effect.duplicate ? 2 : 1); copy++) {
    receipts.push(problem
      ? await emit(ctx, gestore.id, {
          kind: 'errore-consegna',
          facts,
          to: facts.mittente,
          consegna: recipient,
          errore: problem,
          erroreEsteso: effect.erroreEsteso ?? (problem === 'no-dest'
            ? `5.1.1 - ${gestore.name} - indirizzo non valido`
            : `5.2.2 - ${gestore.name} - casella piena o non disponibile`),
        })
      : await emit(ctx, gestore.id, {
          kind: 'avvenuta-consegna',
          facts,
          to: facts.mittente,
          consegna: recipient,
          original: payload.flavour === 'sintetica' || payload.originalBlobId === undefined ? undefined : ctx.store.getBlob(payload.originalBlobId),
          flavour: payload.flavour,
          recipientHeader: payload.header,
        }));
  }

  ctx.store.groupTransaction(() => {
    if (!problem) deliverToMailbox(ctx, mailbox, busta, { identificativo: facts.identificativo });
    receipts.forEach((receipt, copy) => {
      queueRelay(ctx, {
        gestore: gestore.id,
        raw: receipt.raw,
        from: senderAddress(ctx, gestore.id),
        to: [facts.mittente],
        purpose: 'receipt',
        keyBase: `ricevuta:${facts.identificativo}:${recipient}:${copy}`,
        identificativo: facts.identificativo,
        delayMs: effect.delayMs,
      });
    });
    log(ctx, {
      gestore: gestore.id,
      actor: 'consegna',
      event: problem ? 'errore-consegna' : 'avvenuta-consegna',
      identificativo: facts.identificativo,
      messageId: receipts[0].messageId,
      detail: { recipient, ...(mailbox !== recipient ? { mailbox } : {}), errore: problem ?? 'nessuno', flavour: payload.flavour, rule: effect.rule },
    });
    ctx.store.completeJob(job.id);
  });
  ctx.wake();
}
