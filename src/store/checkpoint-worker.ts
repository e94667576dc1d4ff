// The worker-thread side of checkpointer.ts: its own connection to the database file, a PASSIVE
// checkpoint on an interval, errors reported to the main thread, and an end on request.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface CheckpointWorkerData {
  file: string;
  intervalMs: number;
  busyTimeoutMs: number;
}

const { file, intervalMs, busyTimeoutMs } = workerData as CheckpointWorkerData;
const port = parentPort;
if (!port) throw new Error('checkpoint-worker runs in a worker thread only');

let db: Database.Database | undefined;
const timer = setInterval(() => {
  try {
    // opened on first use: a store closed at once never waits for this thread
    db ??= new Database(file, { timeout: busyTimeoutMs, fileMustExist: true });
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
}, intervalMs);

port.on('message', () => {
  clearInterval(timer);
  db?.close();
  port.close();
});
