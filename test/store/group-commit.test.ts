// Group commit and background checkpoints, judged from a second SQLite connection: what another
// reader (or the same file after a crash) can see is what was committed, nothing more.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { tempDir } from './helpers.js';

function storeOnDisk(options: { checkpoint?: 'background' | 'inline' } = {}) {
  const file = path.join(tempDir(), 'store.sqlite');
  const store = openStore({ path: file, ...options });
  store.createAccount({ address: 'a@pec.test', password: 'x', gestore: null });
  const inbox = store.getFolder('a@pec.test', 'INBOX')!.id;
  return { file, store, inbox };
}

/** what a separate connection sees: another process, or the file after SIGKILL */
function countFromOutside(file: string, sql: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

const raw = (n: number) => Buffer.from(`Subject: ${n}\r\n\r\nbody ${n}\r\n`);

describe('group commit', () => {
  it('shows a unit at once on its own connection, to others only once committed() resolves', async () => {
    const { file, store, inbox } = storeOnDisk();
    store.groupTransaction(() => store.appendMessage(inbox, raw(1)));
    store.groupTransaction(() => store.appendMessage(inbox, raw(2)));
    expect(store.uncommitted).toBe(true);
    expect(store.listMessages(inbox)).toHaveLength(2);
    expect(countFromOutside(file, 'SELECT count(*) FROM messages')).toBe(0);
    await store.committed();
    expect(store.uncommitted).toBe(false);
    expect(countFromOutside(file, 'SELECT count(*) FROM messages')).toBe(2);
    store.close();
  });

  it('delivers change events only after the commit', async () => {
    const { store, inbox } = storeOnDisk();
    const seen: string[] = [];
    store.onChange((_address, change) => seen.push(change.type));
    store.groupTransaction(() => store.appendMessage(inbox, raw(1)));
    expect(seen).toEqual([]);
    await store.committed();
    expect(seen).toEqual(['exists']);
    store.close();
  });

  it('rolls back a failing unit alone, with its events, and commits the others of the group', async () => {
    const { file, store, inbox } = storeOnDisk();
    const seen: number[] = [];
    store.onChange((_address, change) => change.type === 'exists' && seen.push(change.uid));
    const append = (n: number) => store.appendMessage(inbox, raw(n), { meta: { subject: String(n) } });
    store.groupTransaction(() => append(1));
    expect(() =>
      store.groupTransaction(() => {
        append(2);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    store.groupTransaction(() => append(3));
    await store.committed();
    expect(countFromOutside(file, 'SELECT count(*) FROM messages')).toBe(2);
    expect(store.listMessages(inbox).map((m) => m.subject)).toEqual(['1', '3']);
    expect(seen).toHaveLength(2);
    store.close();
  });

  it('makes a plain transaction durable on return, together with the open group', () => {
    const { file, store, inbox } = storeOnDisk();
    store.groupTransaction(() => store.appendMessage(inbox, raw(1)));
    store.transaction(() => store.appendMessage(inbox, raw(2)));
    expect(store.uncommitted).toBe(false);
    expect(countFromOutside(file, 'SELECT count(*) FROM messages')).toBe(2);
    store.close();
  });

  it('commits the open group on close', () => {
    const { file, store, inbox } = storeOnDisk();
    store.groupTransaction(() => store.appendMessage(inbox, raw(1)));
    store.close();
    expect(countFromOutside(file, 'SELECT count(*) FROM messages')).toBe(1);
  });

  it('resolves committed() at once when nothing is pending', async () => {
    const { store } = storeOnDisk();
    expect(store.uncommitted).toBe(false);
    await expect(store.committed()).resolves.toBeUndefined();
    store.close();
  });

  it('works the same in memory', async () => {
    const store = openStore({ inMemory: true });
    store.createAccount({ address: 'a@pec.test', password: 'x', gestore: null });
    const inbox = store.getFolder('a@pec.test', 'INBOX')!.id;
    store.groupTransaction(() => store.appendMessage(inbox, raw(1)));
    await store.committed();
    expect(store.listMessages(inbox)).toHaveLength(1);
    store.close();
  });
});

describe('background checkpoints', () => {
  /** the database file alone, as if its WAL were lost: holds only what was checkpointed */
  function rowsInMainFile(file: string): number {
    const copy = path.join(path.dirname(file), 'main-only.sqlite');
    fs.copyFileSync(file, copy);
    const db = new Database(copy, { readonly: true });
    try {
      // before the first checkpoint even the schema is only in the WAL
      const hasTable = db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'messages'").pluck().get() === 1;
      return hasTable ? (db.prepare('SELECT count(*) FROM messages').pluck().get() as number) : 0;
    } finally {
      db.close();
    }
  }

  it('copies committed pages into the database file without any commit doing it', async () => {
    const { file, store, inbox } = storeOnDisk();
    store.transaction(() => {
      for (let i = 0; i < 50; i++) store.appendMessage(inbox, raw(i));
    });
    // 50 small messages are far below the 1000 pages at which a commit would checkpoint itself
    await expect.poll(() => rowsInMainFile(file), { timeout: 5000, interval: 100 }).toBe(50);
    store.close();
  });

  it('keeps the WAL file bounded while writes never pause', () => {
    const { file, store, inbox } = storeOnDisk();
    // 64 MB in 1,000 commits back to back: the worker alone never catches up at the moment a
    // write starts, which is when SQLite can start the WAL over
    for (let i = 0; i < 1000; i++) {
      store.transaction(() => store.appendMessage(inbox, Buffer.concat([raw(i), randomBytes(64 * 1024)])));
    }
    expect(fs.statSync(`${file}-wal`).size).toBeLessThan(40 * 1024 * 1024);
    store.close();
  });

  it("leaves checkpoints to SQLite's autocheckpoint with checkpoint: 'inline'", () => {
    const { file, store } = storeOnDisk({ checkpoint: 'inline' });
    expect(store.database.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    store.close();
    const background = storeOnDisk();
    // in background mode a commit only finishes what the worker left, once the WAL is large
    expect(background.store.database.pragma('wal_autocheckpoint', { simple: true })).toBe(4000);
    background.store.close();
    expect(fs.existsSync(file)).toBe(true);
  });
});
