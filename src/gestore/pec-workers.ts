// Building and signing PEC messages on a worker thread. Every flow builds four signed messages
// (accettazione, busta, presa in carico, avvenuta consegna); their MIME assembly, daticert and CMS
// structure are pure CPU work that would otherwise share the event loop with every socket and
// commit of the testbed. The worker gets the gestori's signing identities once; each request
// carries its time and, with a seed, the seed of its ids, so the bytes are those an in-thread build
// would give.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BuiltPecMessage, PecRequest } from '../pec/build.js';
import type { GestoreIdentity } from '../pec/types.js';
import type { WorkerReply, WorkerRequest } from './pec-worker.js';

export interface PecBuilder {
  /** builds and signs `request` for the gestore at time `at`; ids from `seed`, or random when null */
  build(gestoreId: string, at: number, seed: string | null, request: PecRequest): Promise<BuiltPecMessage>;
  close(): Promise<void>;
}

/**
 * A worker thread on `entry`, a module of this package. From dist/ that is plain JavaScript; from
 * src/ (tests, `tsx`) the thread first registers tsx's loader, which the main thread's does not
 * reach into workers on Node 20.
 */
function moduleWorker(entry: URL): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry);
  const require = createRequire(import.meta.url);
  const tsxDir = path.dirname(require.resolve('tsx/package.json'));
  const exports = (require('tsx/package.json') as { exports: Record<string, { import: { default: string } }> }).exports;
  const tsxApi = pathToFileURL(path.join(tsxDir, exports['./esm/api'].import.default)).href;
  const boot = `const { register } = await import(${JSON.stringify(tsxApi)}); register(); await import(${JSON.stringify(entry.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`));
}

export function startPecWorker(identities: GestoreIdentity[]): PecBuilder {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './pec-worker.ts' : './pec-worker.js', import.meta.url);
  const pending = new Map<number, { resolve: (built: BuiltPecMessage) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let worker: Worker | null = null;
  let closed = false;

  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  // Started on first use, and again after a crash: the jobs whose builds failed are retried.
  const current = (): Worker => {
    if (worker) return worker;
    const started = moduleWorker(entry);
    started.unref();
    started.on('message', (reply: WorkerReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if ('error' in reply) p.reject(new Error(reply.error));
      else p.resolve({ raw: Buffer.from(reply.raw.buffer, reply.raw.byteOffset, reply.raw.byteLength), messageId: reply.messageId });
    });
    started.on('error', (error) => failAll(new Error(`PEC build worker failed: ${error.message}`)));
    started.on('exit', () => {
      if (worker === started) worker = null;
      failAll(new Error('PEC build worker stopped'));
    });
    started.postMessage({ type: 'identities', identities } satisfies WorkerRequest);
    worker = started;
    return started;
  };

  return {
    build(gestoreId, at, seed, request) {
      if (closed) return Promise.reject(new Error('PEC build worker closed'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        current().postMessage({ type: 'build', id, gestore: gestoreId, at, seed, request } satisfies WorkerRequest);
      });
    },
    async close() {
      closed = true;
      const stopping = worker;
      worker = null;
      if (stopping) await stopping.terminate();
    },
  };
}
