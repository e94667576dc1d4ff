// Opens the store: one better-sqlite3 connection, on a file (WAL) or in memory. In-memory mode
// is SQLite's ':memory:' database, not a second implementation, so both modes run the very same
// SQL and the tests of one are the tests of the other.

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startCheckpointer } from './checkpointer.js';
import { StoreContext } from './context.js';
import { migrate } from './schema.js';
import { SqliteStore } from './sqlite-store.js';

export { StoreError, isStoreError } from './errors.js';
export type { StoreErrorCode } from './errors.js';
export { SCHEMA_VERSION } from './schema.js';
export { SqliteStore } from './sqlite-store.js';
export type * from './types.js';

/** WAL pages (4 KB each) after which a commit completes the checkpoint in background mode */
const WAL_REWIND_PAGES = 4000;

/** the database file's name when openStore is given a data directory */
export const STORE_FILE = 'store.sqlite';

export interface StoreTuning {
  /**
   * time source for defaults the store fills in (Account.createdAt, internalDate);
   * pass the testbed's clock. Default: Date.now
   */
  clock?: { now(): number };
  /**
   * SQLite `synchronous` on disk. NORMAL (default): in WAL mode a commit is in the OS before the
   * call returns, so it survives the process being killed; only power loss or an OS crash can
   * lose the last commits (never corrupt the file). FULL also fsyncs on every commit.
   */
  synchronous?: 'NORMAL' | 'FULL';
  /** how long a write waits for another connection's lock, ms (default 5000) */
  busyTimeoutMs?: number;
  /**
   * On disk: 'background' (default) checkpoints the WAL from a worker thread, so commits only
   * finish what it left once the WAL passes 16 MB; 'inline' leaves it all to SQLite's
   * autocheckpoint inside commits (every 1,000 pages).
   */
  checkpoint?: 'background' | 'inline';
  /** where exceptions thrown by onChange/onLog listeners go (default: process warning) */
  onListenerError?: (err: unknown) => void;
}

export type OpenStoreOptions = ({ path: string } | { inMemory: true }) & StoreTuning;

/** `path` is the database file; an existing directory means `<dir>/store.sqlite` */
export function openStore(options: OpenStoreOptions): SqliteStore {
  const location = 'inMemory' in options && options.inMemory ? ':memory:' : resolveFile((options as { path: string }).path);
  const busyTimeout = options.busyTimeoutMs ?? 5000;
  const background = location !== ':memory:' && options.checkpoint !== 'inline';
  const db = new Database(location, { timeout: busyTimeout });
  try {
    if (location !== ':memory:') {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal') throw new Error(`store: cannot use WAL on ${location} (got ${String(mode)})`);
      db.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
      if (background) {
        // The worker copies pages beside the writer but, with writes never pausing, it rarely
        // catches up at the instant a write starts, which is when SQLite rewinds the WAL: alone,
        // the WAL file would grow without end. A commit that finds the WAL past this size finishes
        // the few pages left itself, and the next write starts the WAL over.
        db.pragma(`wal_autocheckpoint = ${WAL_REWIND_PAGES}`);
        db.pragma(`journal_size_limit = ${WAL_REWIND_PAGES * 4096 * 2}`);
      }
    }
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeout))}`);
    db.pragma('foreign_keys = ON');
    // Every unit of a group commit is a savepoint, and SQLite journals each page a savepoint
    // first touches so it can roll back to it: in temp files that was a second stream of page
    // writes beside the WAL (measured: 700 KB and 350 write calls per flow). In memory they stay.
    db.pragma('temp_store = MEMORY');
    // listing a large folder stays in cache; 16 MB is cheap next to the messages themselves
    db.pragma('cache_size = -16000');
    db.function('pec_icontains', { deterministic: true }, (haystack: unknown, needle: unknown) =>
      typeof haystack === 'string' && haystack.toLowerCase().includes(String(needle)) ? 1 : 0,
    );
    // the seed of UIDVALIDITY must differ between databases, so it reads real time on purpose
    migrate(db, Date.now());
  } catch (err) {
    db.close();
    throw err;
  }
  const onError = options.onListenerError ?? defaultListenerError;
  const ctx = new StoreContext(db, {
    now: options.clock ? () => options.clock!.now() : Date.now,
    onListenerError: onError,
  });
  const checkpointer = background ? startCheckpointer({ file: location, busyTimeoutMs: busyTimeout, onError }) : undefined;
  return new SqliteStore(ctx, location, () => checkpointer?.stop());
}

function resolveFile(p: string): string {
  if (typeof p !== 'string' || p.length === 0) throw new Error('store: path must be a non-empty string');
  const abs = path.resolve(p);
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) return path.join(abs, STORE_FILE);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  return abs;
}

function defaultListenerError(err: unknown): void {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.emitWarning(`store listener threw: ${message}`, { code: 'PEC_TESTBED_STORE_LISTENER' });
}
