// WAL checkpoints off the event loop. A checkpoint copies committed pages from the WAL into the
// database file and, with synchronous=NORMAL, is the only moment SQLite fsyncs; run inside a
// commit it stalls every socket of the testbed for milliseconds. Here a worker thread with its own
// connection checkpoints on an interval; the main connection's commits only finish the last pages
// once the WAL is large (see index.ts). PASSIVE never blocks the writer: what it cannot copy yet
// it copies next time.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// A script, not a module file: it runs the same from src/ (tsx, vitest) and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
const checkpoint = () => {
  try {
    // opened on first use: a store closed at once never waits for this thread
    db = db || new Database(workerData.file, { timeout: workerData.busyTimeoutMs, fileMustExist: true });
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  if (db) db.close();
  parentPort.close();
});
`;

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
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver, file: options.file, intervalMs: options.intervalMs ?? 200, busyTimeoutMs: options.busyTimeoutMs },
  });
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
