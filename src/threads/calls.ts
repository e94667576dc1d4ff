// Request/answer calls to a worker thread: each request carries a number, the answer with that
// number settles it. The worker starts on first use and again after it died; the calls it had in
// flight fail, and their owners (jobs) retry them. Pending calls never keep the process alive:
// the servers that wait for them do.
import type { Worker } from 'node:worker_threads';

export interface WorkerCalls<A> {
  /** posts `{ ...request, id }` and settles with the answer of that id (or its `error`) */
  call(request: object): Promise<A>;
  /** posts a message that has no answer to the running worker; none running: dropped (start() sets a new one up) */
  post(message: object): void;
  /**
   * No more calls. With `farewell`, the worker is told (and ends by itself, e.g. after closing
   * its connections politely); without, it is terminated.
   */
  close(farewell?: unknown): Promise<void>;
}

export function workerCalls<A>(options: {
  /** for messages: `<name> worker stopped` */
  name: string;
  start: () => Worker;
  /** what a failed call rejects with: the answer's `error` field, or (a string) why the worker is gone */
  failure: (cause: unknown) => unknown;
}): WorkerCalls<A> {
  const pending = new Map<number, { resolve: (answer: A) => void; reject: (error: unknown) => void }>();
  let nextId = 1;
  let worker: Worker | null = null;
  let closed = false;
  const failAll = (cause: string) => {
    for (const p of pending.values()) p.reject(options.failure(cause));
    pending.clear();
  };
  const current = (): Worker => {
    if (worker) return worker;
    const started = options.start();
    started.unref();
    started.on('message', (answer: A & { id: number; error?: unknown }) => {
      const p = pending.get(answer.id);
      if (!p) return;
      pending.delete(answer.id);
      if (answer.error !== undefined) p.reject(options.failure(answer.error));
      else p.resolve(answer);
    });
    started.on('error', (error) => failAll(`${options.name} worker failed: ${error.message}`));
    started.on('exit', () => {
      if (worker === started) worker = null;
      failAll(`${options.name} worker stopped`);
    });
    worker = started;
    return started;
  };
  return {
    call(request) {
      if (closed) return Promise.reject(options.failure(`${options.name} worker closed`));
      const id = nextId++;
      return new Promise<A>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        current().postMessage({ ...request, id });
      });
    },
    post(message) {
      if (!closed) worker?.postMessage(message);
    },
    async close(farewell) {
      closed = true;
      const stopping = worker;
      worker = null;
      if (!stopping) return;
      if (farewell === undefined) await stopping.terminate();
      else stopping.postMessage(farewell);
    },
  };
}
