// The state every store module shares: one better-sqlite3 connection, a cache of prepared
// statements, the clock, and the transaction wrapper that holds change and log events back until
// the outermost transaction has committed (and throws them away when it rolls back).
//
// Group commit: a commit costs far more than the few rows a unit of engine work writes, so the
// engine's units join one open transaction that commits once per event-loop turn. Each unit is a
// savepoint (atomic on its own); whoever acknowledges it to the outside world (an SMTP 250)
// first awaits `committed()`. A plain `transaction()` still returns only once it is durable, and
// takes any open group with it.

import type Database from 'better-sqlite3';
import type { LogRecord, MailboxChange } from './types.js';

export type StoreEvent =
  | { kind: 'change'; address: string; change: MailboxChange }
  | { kind: 'log'; record: LogRecord };

export interface StoreContextOptions {
  now: () => number;
  onListenerError: (err: unknown) => void;
}

type ChangeListener = (address: string, change: MailboxChange) => void;
type LogListener = (record: LogRecord) => void;

export class StoreContext {
  readonly now: () => number;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly runInTransaction: Database.Transaction<(fn: () => unknown) => unknown>;
  private readonly changeListeners = new Set<ChangeListener>();
  private readonly logListeners = new Set<LogListener>();
  private readonly onListenerError: (err: unknown) => void;
  private pending: StoreEvent[] = [];
  private depth = 0;
  private flushing = false;
  /** the open group commit, if any: who awaits it */
  private group: { waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> } | null = null;

  constructor(
    readonly db: Database.Database,
    options: StoreContextOptions,
  ) {
    this.now = options.now;
    this.onListenerError = options.onListenerError;
    this.runInTransaction = db.transaction((fn: () => unknown) => fn());
  }

  /** a prepared statement, compiled once per SQL text for the life of the connection */
  stmt<R = unknown>(sql: string): Database.Statement<unknown[], R> {
    return this.cached(sql, () => this.db.prepare(sql)) as Database.Statement<unknown[], R>;
  }

  /** like stmt, returning rows as arrays: half the cost of row objects on large listings */
  rows<R extends unknown[] = unknown[]>(sql: string): Database.Statement<unknown[], R> {
    return this.cached(`raw\u0000${sql}`, () => this.db.prepare(sql).raw()) as Database.Statement<unknown[], R>;
  }

  /** like stmt, returning the first column's value instead of a row object */
  pluck<R = unknown>(sql: string): Database.Statement<unknown[], R> {
    return this.cached(`pluck\u0000${sql}`, () => this.db.prepare(sql).pluck()) as Database.Statement<unknown[], R>;
  }

  private cached(key: string, prepare: () => Database.Statement): Database.Statement {
    let s = this.statements.get(key);
    if (!s) {
      s = prepare();
      this.statements.set(key, s);
    }
    return s;
  }

  /**
   * Runs fn atomically and durably: on return it is committed, with any open group. The outermost
   * level is BEGIN IMMEDIATE (takes the write lock up front, so a second connection waits on
   * busy_timeout instead of failing on a lock upgrade); inner levels are savepoints, so a caught
   * failure inside undoes only its own writes and events.
   */
  transaction<T>(fn: () => T): T {
    const result = this.unit(fn);
    if (this.depth === 0) {
      if (this.group) this.commitGroup();
      else this.flush();
    }
    return result;
  }

  /**
   * Runs fn atomically now, like transaction(), but commits it with the other units of this
   * event-loop turn: durable only once `committed()` resolves.
   */
  groupTransaction<T>(fn: () => T): T {
    if (this.depth === 0 && !this.group) {
      this.db.exec('BEGIN IMMEDIATE');
      this.group = { waiters: [] };
      setImmediate(() => {
        try {
          this.commitGroup();
        } catch {
          // its waiters have been told; a unit nobody awaited is redone by whoever owns it
        }
      });
    }
    return this.unit(fn);
  }

  /** resolves once everything written so far is durable (at once when no group is open) */
  committed(): Promise<void> {
    if (!this.group) return Promise.resolve();
    const group = this.group;
    return new Promise((resolve, reject) => group.waiters.push({ resolve, reject }));
  }

  /** true while a group commit is open: what was written is visible here but not yet durable */
  get uncommitted(): boolean {
    return this.group !== null;
  }

  /** commits the open group now (close() and plain transactions call it); throws if that fails */
  commitGroup(): void {
    const group = this.group;
    if (!group || this.depth > 0) return;
    this.group = null;
    try {
      this.db.exec('COMMIT');
    } catch (err) {
      // Nothing of the group was acknowledged yet: undo it, drop its events, tell the waiters.
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.pending = [];
      for (const w of group.waiters) w.reject(err);
      throw err;
    }
    this.flush();
    for (const w of group.waiters) w.resolve();
  }

  // One atomic unit: the outermost level is BEGIN IMMEDIATE (or a savepoint inside an open
  // group); events of a unit that rolls back are thrown away with its writes.
  private unit<T>(fn: () => T): T {
    const mark = this.pending.length;
    this.depth++;
    try {
      return this.runInTransaction.immediate(fn) as T;
    } catch (err) {
      this.pending.length = mark;
      throw err;
    } finally {
      this.depth--;
    }
  }

  emit(event: StoreEvent): void {
    if (this.changeListeners.size === 0 && this.logListeners.size === 0) return;
    this.pending.push(event);
    // outside a transaction (appendLog is one statement) the write has committed already,
    // unless it joined an open group
    if (this.depth === 0 && !this.group) this.flush();
  }

  onChange(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onLog(listener: LogListener): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  // Listeners may call back into the store; their own commits append to `pending` and this
  // loop delivers them after the events already queued, so everyone sees commit order.
  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let i = 0; i < this.pending.length; i++) {
        const event = this.pending[i];
        if (event.kind === 'change') {
          for (const l of [...this.changeListeners]) this.call(() => l(event.address, event.change));
        } else {
          for (const l of [...this.logListeners]) this.call(() => l(event.record));
        }
      }
    } finally {
      this.pending = [];
      this.flushing = false;
    }
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      try {
        this.onListenerError(err);
      } catch {
        // the error reporter itself failed; the store must keep going regardless
      }
    }
  }
}
