import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore, SCHEMA_VERSION, STORE_FILE } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/schema.js';
import { ALICE, harness, msg, tempDir, withAccounts } from './helpers.js';

describe('persistence across close and reopen', () => {
  it('keeps accounts, folders (UIDVALIDITY, uidNext, subscriptions), messages, flags and bytes', () => {
    const h = harness('disk');
    const f = withAccounts(h);
    h.store.updateAccount(ALICE, { quotaBytes: 12345, enabled: false });
    h.store.createFolder(ALICE, 'Pratiche/2025', '\\Archive');
    h.store.setSubscribed(ALICE, 'Trash', false);
    const raw = Buffer.concat([msg(1), Buffer.from([0xe8, 0x00, 0xff, 0x0d, 0x0a])]);
    const m = h.store.appendMessage(f.inbox, raw, { flags: ['\\Seen', '$Protocollato'], internalDate: 77, meta: { kind: 'posta-certificata', refMessageId: '<r@x>' } });
    h.store.appendMessage(f.inbox, msg(2), { flags: ['\\Deleted'] });
    h.store.expunge(f.inbox);
    const folders = h.store.listFolders(ALICE);
    const accounts = h.store.listAccounts();

    const store = h.reopen()!;
    expect(store.listAccounts()).toEqual(accounts);
    expect(store.listFolders(ALICE)).toEqual(folders);
    expect(store.getFolderById(f.inbox)?.uidNext).toBe(3);
    expect(store.getMessage(m.id)).toEqual(m);
    expect(store.getRaw(m.id).equals(raw)).toBe(true);
    // no UID reuse after a restart, and the UIDVALIDITY counter continues
    expect(store.appendMessage(f.inbox, msg(3)).uid).toBe(3);
    const fresh = store.createFolder(ALICE, 'Nuova');
    expect(folders.map((x) => x.uidValidity)).not.toContain(fresh.uidValidity);
    expect(store.findMessages({ refMessageId: '<r@x>' }).map((x) => x.id)).toEqual([m.id]);
  });

  it('keeps flows, jobs with attempts, done keys, blobs and the log', () => {
    const h = harness('disk');
    h.store.createFlow({
      identificativo: 'opec-9', gestore: 'alfa', sender: 's@pec.alfa.test', clientMessageId: '<c@x>', subject: 'S',
      receiptType: 'sintetica', createdAt: 5,
      recipients: [{ address: 'r@pec.beta.test', type: 'certificato', header: 'to', state: 'pending', updatedAt: 5 }],
    });
    h.store.setRecipientState('opec-9', 'r@pec.beta.test', 'taken', 6);
    const blob = h.store.putBlob(Buffer.from([1, 2, 3, 0, 255]));
    const pending = h.store.enqueueJob({ kind: 'relay', dueAt: 100, payload: { blob }, key: 'relay:opec-9' })!;
    h.store.retryJob(pending.id, 200, 'timeout');
    const done = h.store.enqueueJob({ kind: 'receipt', dueAt: 1, payload: null, key: 'receipt:opec-9' })!;
    h.store.completeJob(done.id);
    const log = h.store.appendLog({ at: 7, gestore: 'alfa', actor: 'relay', event: 'sent', detail: { ok: true } });
    const flow = h.store.getFlow('opec-9');
    const jobs = h.store.listJobs();

    const store = h.reopen()!;
    expect(store.getFlow('opec-9')).toEqual(flow);
    expect(store.getFlow('opec-9')?.recipients[0].state).toBe('taken');
    expect(store.getBlob(blob)?.equals(Buffer.from([1, 2, 3, 0, 255]))).toBe(true);
    expect(store.listJobs()).toEqual(jobs);
    expect(store.listJobs()[0]).toMatchObject({ attempts: 1, dueAt: 200, lastError: 'timeout' });
    expect(store.nextDueAt()).toBe(200);
    expect(store.enqueueJob({ kind: 'receipt', dueAt: 1, payload: null, key: 'receipt:opec-9' })).toBeUndefined();
    expect(store.enqueueJob({ kind: 'relay', dueAt: 1, payload: null, key: 'relay:opec-9' })).toBeUndefined();
    expect(store.queryLog({})).toEqual([log]);
  });
});

describe('openStore', () => {
  it('uses WAL, busy_timeout, foreign keys and synchronous NORMAL by default (FULL on request)', () => {
    const dir = tempDir();
    const store = openStore({ path: path.join(dir, 'a.sqlite') });
    expect(store.database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.database.pragma('synchronous', { simple: true })).toBe(1);
    expect(store.database.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(store.database.pragma('foreign_keys', { simple: true })).toBe(1);
    store.close();
    store.close(); // closing twice is harmless
    const full = openStore({ path: path.join(dir, 'b.sqlite'), synchronous: 'FULL', busyTimeoutMs: 1234 });
    expect(full.database.pragma('synchronous', { simple: true })).toBe(2);
    expect(full.database.pragma('busy_timeout', { simple: true })).toBe(1234);
    full.close();
  });

  it('in-memory stores are separate databases', () => {
    const a = openStore({ inMemory: true });
    const b = openStore({ inMemory: true });
    a.createAccount({ address: ALICE, password: 'pec', gestore: 'alfa' });
    expect(b.getAccount(ALICE)).toBeUndefined();
    expect(a.location).toBe(':memory:');
    a.close();
    b.close();
  });

  it('an existing directory means <dir>/store.sqlite; missing parent directories are created', () => {
    const dir = tempDir();
    const s1 = openStore({ path: dir });
    expect(s1.location).toBe(path.join(dir, STORE_FILE));
    s1.createAccount({ address: ALICE, password: 'pec', gestore: 'alfa' });
    s1.close();
    const s2 = openStore({ path: path.join(dir, STORE_FILE) });
    expect(s2.getAccount(ALICE)).toBeDefined();
    s2.close();
    const nested = path.join(dir, 'x', 'y', 'db.sqlite');
    openStore({ path: nested }).close();
    expect(fs.existsSync(nested)).toBe(true);
  });

  it('records the schema version once and refuses a database from a newer testbed', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    openStore({ path: file }).close();
    openStore({ path: file }).close();
    const db = new Database(file);
    expect(db.prepare('SELECT version FROM schema_version ORDER BY version').pluck().all()).toEqual(MIGRATIONS.map((m) => m.version));
    db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(SCHEMA_VERSION + 1, 0);
    db.close();
    expect(() => openStore({ path: file })).toThrow(/newer/);
  });

  it('a second connection on the same file sees committed data', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    const a = openStore({ path: file });
    const b = openStore({ path: file });
    a.createAccount({ address: ALICE, password: 'pec', gestore: 'alfa' });
    const inbox = a.getFolder(ALICE, 'INBOX')!.id;
    a.appendMessage(inbox, msg(1));
    expect(b.listMessages(inbox)).toHaveLength(1);
    expect(b.appendMessage(inbox, msg(2)).uid).toBe(2);
    a.close();
    b.close();
  });
});
