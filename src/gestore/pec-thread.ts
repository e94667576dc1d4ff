// The engine's CPU-heavy PEC work on a worker thread: building and signing (four signed messages
// per flow: accettazione, busta, presa in carico, avvenuta consegna) and verifying the signatures
// that arrive at a punto di ricezione. MIME assembly, daticert, CMS structure and certificate
// checks are pure work that would otherwise share the event loop with every socket and commit of
// the testbed. The worker gets the gestori's signing identities and the trusted CA when it
// starts; each request carries its time and, with a seed, the seed of its ids, so the bytes are
// those an in-thread build would give.
import type { BuiltPecMessage, PecRequest } from '../pec/build.js';
import type { GestoreIdentity } from '../pec/types.js';
import type { CmsVerdict } from '../pki/cms-verify.js';
import { asBuffer } from '../threads/bytes.js';
import { workerCalls } from '../threads/calls.js';
import { moduleWorker, siblingModule } from '../threads/module-worker.js';
import type { PecThreadAnswer, PecThreadRequest } from './pec-thread-worker.js';

export interface PecThread {
  /** builds and signs `request` for the gestore at time `at`; ids from `seed`, or random when null */
  build(gestoreId: string, at: number, seed: string | null, request: PecRequest): Promise<BuiltPecMessage>;
  /** checks a detached CMS signature over `content` against the trusted CA, at time `at` */
  verify(content: Buffer, signature: Buffer, at: number): Promise<CmsVerdict>;
  close(): Promise<void>;
}

type Request<T extends PecThreadRequest['type']> = Omit<Extract<PecThreadRequest, { type: T }>, 'id'>;

export function startPecThread(options: { identities: GestoreIdentity[]; trustedCaPem: string[] }): PecThread {
  const calls = workerCalls<PecThreadAnswer>({
    name: 'PEC',
    start: () => {
      const worker = moduleWorker(siblingModule(import.meta.url, 'pec-thread-worker'));
      worker.postMessage({ type: 'init', ...options } satisfies PecThreadRequest);
      return worker;
    },
    failure: (cause) => new Error(String(cause)),
  });
  return {
    async build(gestoreId, at, seed, request) {
      const answer = await calls.call({ type: 'build', gestore: gestoreId, at, seed, request } satisfies Request<'build'>);
      if (!('raw' in answer)) throw new Error('PEC worker: not a built message');
      return { raw: asBuffer(answer.raw), messageId: answer.messageId };
    },
    async verify(content, signature, at) {
      const answer = await calls.call({ type: 'verify', content, signature, at } satisfies Request<'verify'>);
      if (!('verdict' in answer)) throw new Error('PEC worker: not a verdict');
      return answer.verdict;
    },
    close: () => calls.close(),
  };
}
