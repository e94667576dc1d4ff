// Bytes are stored once per content (schema v2): blobs and messages with the same bytes share one
// `message_raw` row, which lives exactly as long as something references it. And a v1 data dir,
// where every blob and message had its own copy, is upgraded in place without losing a byte or a
// blob id that a pending job holds.

import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore, type SqliteStore } from '../../src/store/index.js';
import { migrate, SCHEMA_VERSION } from '../../src/store/schema.js';
import { ALICE, harness, MODES, msg, tempDir, withAccounts } from './helpers.js';

function rawRows(store: SqliteStore): number {
  return store.database.prepare('SELECT count(*) FROM message_raw').pluck().get() as number;
}

function big(seed: number): Buffer {
  return Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 131 + seed) % 256));
}

describe.each(MODES)('content-addressed bytes [%s]', (mode) => {
  it('identical bytes put as blobs and appended as messages occupy one row', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const busta = big(1);
    const b1 = h.store.putBlob(busta);
    const b2 = h.store.putBlob(Buffer.from(busta)); // equal bytes, another Buffer
    const m = h.store.appendMessage(f.bobInbox, busta);
    // a view into a larger buffer counts only its own bytes
    const pool = Buffer.concat([Buffer.from('xx'), busta, Buffer.from('yy')]);
    const m2 = h.store.appendMessage(f.inbox, pool.subarray(2, 2 + busta.length));
    h.store.copyMessages(f.inbox, [m2.uid], f.sent);
    expect(b2).not.toBe(b1);
    expect(rawRows(h.store)).toBe(1);
    expect(h.store.getBlob(b1)?.equals(busta)).toBe(true);
    expect(h.store.getBlob(b2)?.equals(busta)).toBe(true);
    expect(h.store.getRaw(m.id).equals(busta)).toBe(true);
    expect(h.store.getRaw(m2.id).equals(busta)).toBe(true);
    expect(m.size).toBe(busta.length);
    // quota still counts every message that holds the bytes
    expect(h.store.usedBytes(ALICE)).toBe(2 * busta.length);
    const store = h.reopen();
    if (store) {
      expect(store.getBlob(b1)?.equals(busta)).toBe(true);
      expect(store.putBlob(busta)).toBeGreaterThan(b2);
      expect(rawRows(store)).toBe(1);
    }
  });

  it('different bytes are not merged, however close', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const a = big(1);
    const oneByteOff = Buffer.from(a);
    oneByteOff[a.length - 1] ^= 1;
    const prefix = a.subarray(0, a.length - 1);
    const all = [a, oneByteOff, prefix, Buffer.alloc(0), Buffer.from([0])];
    const blobs = all.map((b) => h.store.putBlob(b));
    const messages = all.map((b) => h.store.appendMessage(f.inbox, b));
    expect(rawRows(h.store)).toBe(all.length);
    all.forEach((b, i) => {
      expect(h.store.getBlob(blobs[i])?.equals(b)).toBe(true);
      expect(h.store.getRaw(messages[i].id).equals(b)).toBe(true);
    });
    h.store.deleteBlob(blobs[0]);
    h.store.deleteMessage(messages[0].id);
    expect(rawRows(h.store)).toBe(all.length - 1);
    expect(h.store.getBlob(blobs[1])?.equals(oneByteOff)).toBe(true);
    expect(h.store.getRaw(messages[2].id).equals(prefix)).toBe(true);
  });

  it('bytes stay while any blob or message references them, and go with the last reference', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const raw = msg('shared');
    const other = msg('other');
    const keepOther = h.store.putBlob(other);
    const b1 = h.store.putBlob(raw);
    const b2 = h.store.putBlob(raw);
    const m = h.store.appendMessage(f.inbox, raw, { flags: ['\\Deleted'] });
    h.store.copyMessages(f.inbox, [m.uid], f.trash);
    expect(rawRows(h.store)).toBe(2);

    h.store.deleteBlob(b1);
    expect(h.store.getBlob(b1)).toBeUndefined();
    expect(h.store.getBlob(b2)?.equals(raw)).toBe(true);
    h.store.expunge(f.inbox);
    h.store.moveMessages(f.trash, [1], f.sent);
    expect(rawRows(h.store)).toBe(2);
    h.store.deleteBlob(b2);
    // only the moved copy holds the bytes now
    const moved = h.store.listMessages(f.sent)[0];
    expect(h.store.getRaw(moved.id).equals(raw)).toBe(true);
    expect(rawRows(h.store)).toBe(2);
    h.store.deleteMessage(moved.id);
    expect(rawRows(h.store)).toBe(1);
    expect(h.store.getBlob(keepOther)?.equals(other)).toBe(true);

    // the other way round: the message goes first, the blob last
    const b3 = h.store.putBlob(raw);
    const m3 = h.store.appendMessage(f.inbox, raw);
    h.store.deleteMessage(m3.id);
    expect(h.store.getBlob(b3)?.equals(raw)).toBe(true);
    h.store.deleteBlob(b3);
    h.store.deleteBlob(b3); // twice is harmless
    expect(rawRows(h.store)).toBe(1);

    // deleting a folder or an account drops the messages' bytes, not a blob's
    const b4 = h.store.putBlob(raw);
    const folder = h.store.createFolder(ALICE, 'Pratiche');
    h.store.appendMessage(folder.id, raw);
    h.store.appendMessage(folder.id, msg('only-in-folder'));
    expect(rawRows(h.store)).toBe(3);
    h.store.deleteFolder(ALICE, 'Pratiche');
    expect(rawRows(h.store)).toBe(2);
    expect(h.store.getBlob(b4)?.equals(raw)).toBe(true);
    expect(h.store.database.pragma('foreign_key_check')).toEqual([]);
  });

  it('rolled-back puts leave no bytes behind; a put inside a transaction shares with earlier work', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const raw = msg(1);
    expect(() =>
      h.store.transaction(() => {
        h.store.putBlob(raw);
        h.store.appendMessage(f.inbox, msg(2));
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(() => h.store.appendMessage(987654, msg(3))).toThrow();
    expect(rawRows(h.store)).toBe(0);
    const ids = h.store.transaction(() => [h.store.putBlob(raw), h.store.appendMessage(f.inbox, raw).id]);
    expect(rawRows(h.store)).toBe(1);
    expect(h.store.getBlob(ids[0])?.equals(raw)).toBe(true);
  });

  it('reset() leaves no bytes, and the store keeps deduplicating afterwards', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const raw = msg(1);
    h.store.putBlob(raw);
    const blob = h.store.putBlob(msg(2));
    h.store.appendMessage(f.inbox, raw);
    h.store.appendMessage(f.inbox, msg(3));
    h.store.reset();
    const db = h.store.database;
    for (const table of ['messages', 'blobs', 'message_raw']) {
      expect(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get()).toBe(0);
    }
    expect(h.store.getBlob(blob)).toBeUndefined();
    const again = h.store.putBlob(raw);
    expect(again).toBeGreaterThan(blob);
    h.store.appendMessage(f.inbox, raw);
    expect(rawRows(h.store)).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });
});

describe('upgrading a v1 data dir', () => {
  const A = Buffer.concat([msg('A'), Buffer.from([0, 0xff, 0xe8])]);
  const B = big(7);
  const C = msg('C');
  const D = Buffer.alloc(0);

  /** a database as the v1 testbed left it: every blob and message with its own copy of the bytes */
  function v1Database(file: string): void {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db, 1_700_000_000_000, 1);
    expect(db.prepare('SELECT version FROM schema_version').pluck().all()).toEqual([1]);
    expect(db.prepare("SELECT 1 FROM pragma_table_info('blobs') WHERE name = 'data'").pluck().get()).toBe(1);
    db.exec(`
      INSERT INTO accounts (address, password, gestore, quota_bytes, enabled, created_at)
        VALUES ('${ALICE}', 'pec', 'alfa', NULL, 1, 1);
      INSERT INTO folders (id, address, name, uid_validity, uid_next, special_use, subscribed)
        VALUES (1, '${ALICE}', 'INBOX', 100, 5, NULL, 1), (2, '${ALICE}', 'Sent', 101, 2, '\\Sent', 1);
    `);
    const raw = db.prepare('INSERT INTO message_raw (id, data) VALUES (?, ?)');
    raw.run(1, A);
    raw.run(2, A); // v1 appended the same bytes twice
    raw.run(3, B);
    raw.run(4, D);
    const message = db.prepare(
      `INSERT INTO messages (id, folder_id, uid, flags, internal_date, size, raw_id, kind, identificativo)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    message.run(1, 1, 1, '\\Seen', 10, A.length, 1, 'posta-certificata', 'opec-1');
    message.run(2, 1, 2, '', 11, A.length, 2, null, null);
    message.run(3, 1, 3, '', 12, B.length, 3, null, null);
    message.run(4, 2, 1, '', 12, B.length, 3, null, null); // a copy sharing raw row 3
    message.run(5, 1, 4, '', 13, 0, 4, null, null);
    const blob = db.prepare('INSERT INTO blobs (data) VALUES (?)');
    for (const bytes of [A, C, C, B, msg('gone')]) blob.run(bytes); // ids 1..5
    db.prepare('DELETE FROM blobs WHERE id = 5').run(); // AUTOINCREMENT must not hand 5 out again
    const job = db.prepare('INSERT INTO jobs (kind, due_at, payload, key) VALUES (?, ?, ?, ?)');
    job.run('relay', 100, JSON.stringify({ blobId: 1, to: ['x@pec.beta.test'] }), 'relay:opec-1');
    job.run('ricezione', 200, JSON.stringify({ blobId: 3 }), 'ricezione:c');
    db.close();
  }

  it('keeps blob ids, message bytes and jobs; merges duplicates; every later version is applied too', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    v1Database(file);
    const store = openStore({ path: file });
    try {
      const db = store.database;
      expect(db.prepare('SELECT version FROM schema_version ORDER BY version').pluck().all()).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.prepare("SELECT name FROM pragma_table_info('blobs') ORDER BY cid").pluck().all()).toEqual(['id', 'raw_id']);
      // A, B, C and the empty message: four distinct contents
      expect(rawRows(store)).toBe(4);

      // blob ids that pending jobs hold still give the same bytes
      const jobs = store.listJobs();
      expect(jobs.map((j) => j.payload)).toEqual([{ blobId: 1, to: ['x@pec.beta.test'] }, { blobId: 3 }]);
      for (const [id, bytes] of [[1, A], [2, C], [3, C], [4, B]] as const) expect(store.getBlob(id)?.equals(bytes)).toBe(true);
      expect(store.getBlob(5)).toBeUndefined();
      expect(store.putBlob(msg('new'))).toBe(6);

      // messages: same records, same bytes
      const inbox = store.getFolder(ALICE, 'INBOX')!;
      expect(inbox.uidNext).toBe(5);
      const listed = store.listMessages(inbox.id);
      expect(listed.map((m) => m.uid)).toEqual([1, 2, 3, 4]);
      expect(listed[0]).toMatchObject({ id: 1, flags: ['\\Seen'], kind: 'posta-certificata', identificativo: 'opec-1', size: A.length });
      for (const [id, bytes] of [[1, A], [2, A], [3, B], [4, B], [5, D]] as const) expect(store.getRaw(id).equals(bytes)).toBe(true);

      // new writes join the migrated rows
      store.putBlob(A);
      store.appendMessage(inbox.id, B);
      expect(rawRows(store)).toBe(5); // only msg('new') was added

      // and the lifetime triggers work on the migrated tables: drop every reference, no bytes left
      for (const j of jobs) store.completeJob(j.id);
      for (const b of db.prepare('SELECT id FROM blobs').pluck().all() as number[]) store.deleteBlob(b);
      for (const m of store.findMessages({})) store.deleteMessage(m.id);
      expect(rawRows(store)).toBe(0);
    } finally {
      store.close();
    }
  });

  it('an upgraded database opens again without migrating twice', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    v1Database(file);
    openStore({ path: file }).close();
    const store = openStore({ path: file });
    try {
      expect(store.database.prepare('SELECT count(*) FROM schema_version').pluck().get()).toBe(SCHEMA_VERSION);
      expect(store.getBlob(1)?.equals(A)).toBe(true);
      expect(store.getRaw(2).equals(A)).toBe(true);
    } finally {
      store.close();
    }
  });
});
