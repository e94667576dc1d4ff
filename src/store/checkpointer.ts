// WAL checkpoints off the event loop. A checkpoint copies committed pages from the WAL into the
// database file and, with synchronous=NORMAL, is the only moment SQLite fsyncs; run inside a
// commit it stalls every socket of the testbed for milliseconds. Here a worker thread with its own
// connection checkpoints on an interval; the main connection's commits only finish the last pages
// once the WAL is large (see index.ts). PASSIVE never blocks the writer: what it cannot copy yet
// it copies next time.
import { moduleWorker, siblingModule } from '../threads/module-worker.js';
import type { CheckpointWorkerData } from './checkpoint-worker.js';

export interface Checkpointer {
  /** stops the worker; the caller's own connection does the last checkpoint on close */
  stop(): void;
}

export function startCheckpointer(options: {
  file: string;
  intervalMs?: number;
  busyTimeoutMs: number;
  onError: (err: unknown) => void;
}): Checkpointer {
  const workerData: CheckpointWorkerData = { file: options.file, intervalMs: options.intervalMs ?? 200, busyTimeoutMs: options.busyTimeoutMs };
  const worker = moduleWorker(siblingModule(import.meta.url, 'checkpoint-worker'), { workerData });
  // a background helper must never keep the process alive on its own
  worker.unref();
  let stopped = false;
  const report = (err: unknown) => {
    if (!stopped) options.onError(err);
  };
  worker.on('message', (message: { error?: string }) => {
    if (message.error) report(new Error(`store checkpoint: ${message.error}`));
  });
  worker.on('error', report);
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
    },
  };
}
