// The engine's CPU-heavy PEC work on a worker thread: building and signing (four signed messages
// per flow: accettazione, busta, presa in carico, avvenuta consegna), and reading what arrives at a
// punto di ricezione: parsing it, verifying its signature, scanning a busta for viruses. MIME
// assembly and parsing, daticert, CMS structure, certificate checks and the scan are pure work
// that would otherwise share the event loop with every socket and commit of the testbed. The
// worker gets the gestori's signing identities and the trusted CA when it starts, and again when
// they are renewed; each request carries its time and, with a seed, the seed of its ids, so the
// bytes are those an in-thread build would give.
import type { BuiltPecMessage, PecRequest } from '../pec/build.js';
import type { GestoreIdentity } from '../pec/types.js';
import type { CmsVerdict } from '../pki/cms-verify.js';
import { asBuffer } from '../threads/bytes.js';
import { workerCalls } from '../threads/calls.js';
import { moduleWorker, siblingModule } from '../threads/module-worker.js';
import { reviveInspection, type InspectedPec } from './inspection.js';
import type { PecThreadAnswer, PecThreadRequest } from './pec-thread-worker.js';

export interface PecThread {
  /** builds and signs `request` for the gestore at time `at`; ids from `seed`, or random when null */
  build(gestoreId: string, at: number, seed: string | null, request: PecRequest): Promise<BuiltPecMessage>;
  /**
   * parses `raw` (as parsePec, answering the fields of inspectionOf) and, when it carries a
   * signature, verifies it against the trusted CA at time `at` (as verifyDetached); verdict null
   * when there is no signature to check; `infected`: a busta whose original message carries the
   * EICAR test virus (containsEicar)
   */
  inspect(raw: Buffer, at: number): Promise<{ parsed: InspectedPec; verdict: CmsVerdict | null; infected: boolean }>;
  /** signing identities and trust for the requests made from now on (renewed certificates) */
  setIdentities(identities: PecThreadIdentities): void;
  close(): Promise<void>;
}

type Request<T extends PecThreadRequest['type']> = Omit<Extract<PecThreadRequest, { type: T }>, 'id'>;

export interface PecThreadIdentities {
  identities: GestoreIdentity[];
  trustedCaPem: string[];
}

export function startPecThread(options: PecThreadIdentities): PecThread {
  let current = options;
  const calls = workerCalls<PecThreadAnswer>({
    name: 'PEC',
    start: () => {
      const worker = moduleWorker(siblingModule(import.meta.url, 'pec-thread-worker'));
      worker.postMessage({ type: 'init', ...current } satisfies PecThreadRequest);
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
    async inspect(raw, at) {
      const answer = await calls.call({ type: 'inspect', raw, at } satisfies Request<'inspect'>);
      if (!('parsed' in answer)) throw new Error('PEC worker: not a parse');
      return { parsed: reviveInspection(answer.parsed), verdict: answer.verdict, infected: answer.infected };
    },
    setIdentities(identities) {
      current = identities;
      // one port, in order: every request posted after this is served with these
      calls.post({ type: 'init', ...identities } satisfies PecThreadRequest);
    },
    close: () => calls.close(),
  };
}
