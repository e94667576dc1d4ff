// The PEC message builder of the engine, on a worker thread. Every flow builds four signed messages
// (accettazione, busta, presa in carico, avvenuta consegna); their MIME assembly, daticert and CMS
// structure are pure CPU work that would otherwise share the event loop with every socket and
// commit of the testbed. The worker gets the gestori's signing identities when it starts; each
// request carries its time and, with a seed, the seed of its ids, so the bytes are those an
// in-thread build would give.
import type { BuiltPecMessage, PecRequest } from '../pec/build.js';
import type { GestoreIdentity } from '../pec/types.js';
import { workerCalls } from '../threads/calls.js';
import { moduleWorker, siblingModule } from '../threads/module-worker.js';
import type { WorkerAnswer, WorkerRequest } from './pec-worker.js';

export interface PecBuilder {
  /** builds and signs `request` for the gestore at time `at`; ids from `seed`, or random when null */
  build(gestoreId: string, at: number, seed: string | null, request: PecRequest): Promise<BuiltPecMessage>;
  close(): Promise<void>;
}

export function startPecWorker(identities: GestoreIdentity[]): PecBuilder {
  const calls = workerCalls<WorkerAnswer>({
    start: () => {
      const worker = moduleWorker(siblingModule(import.meta.url, 'pec-worker'));
      worker.postMessage({ type: 'identities', identities } satisfies WorkerRequest);
      return worker;
    },
    name: 'PEC build',
    failure: (cause) => new Error(String(cause)),
  });
  return {
    async build(gestoreId, at, seed, request) {
      const answer = await calls.call({ type: 'build', gestore: gestoreId, at, seed, request } satisfies Omit<Extract<WorkerRequest, { type: 'build' }>, 'id'>);
      return { raw: Buffer.from(answer.raw.buffer, answer.raw.byteOffset, answer.raw.byteLength), messageId: answer.messageId };
    },
    close: () => calls.close(),
  };
}
