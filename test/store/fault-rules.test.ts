// The store's side of fault rules: rows kept in order with their counters across close and reopen,
// written as given (the registry judges them), kept by reset(); and a v2 data dir upgraded in place.
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isStoreError, openStore, SCHEMA_VERSION, type StoredFaultRule } from '../../src/store/index.js';
import { migrate } from '../../src/store/schema.js';
import { ALICE, harness, MODES, msg, tempDir, withAccounts } from './helpers.js';

function row(id: string, extra: Partial<StoredFaultRule> = {}): StoredFaultRule {
  return {
    id, source: 'runtime', assignedId: false, definition: JSON.stringify({ id, at: 'consegna', match: {}, do: { drop: true }, times: 'always' }),
    seen: 0, hits: 0, firstHitAt: null, ...extra,
  };
}

describe.each(MODES)('fault rules (%s)', (mode) => {
  it('keeps rows in the order added, with counters; delete and save replace', () => {
    const h = harness(mode);
    expect(h.store.loadFaultRules()).toEqual({ rules: [], nextId: 1 });
    h.store.addFaultRule(row('b'), 1);
    h.store.addFaultRule(row('r1', { assignedId: true, source: 'scenario' }), 2);
    h.store.addFaultRule(row('a'), 2);
    h.store.setFaultRuleCounters('r1', { seen: 3, hits: 2, firstHitAt: 1_750_000_000_000 });
    expect(h.store.loadFaultRules().rules.map((r) => r.id)).toEqual(['b', 'r1', 'a']);
    expect(h.store.loadFaultRules().rules[1]).toEqual(row('r1', { assignedId: true, source: 'scenario', seen: 3, hits: 2, firstHitAt: 1_750_000_000_000 }));
    expect(h.store.loadFaultRules().nextId).toBe(2);

    expect(h.store.deleteFaultRule('b')).toBe(true);
    expect(h.store.deleteFaultRule('b')).toBe(false);
    h.store.addFaultRule(row('c'), 2);
    expect(h.store.loadFaultRules().rules.map((r) => r.id)).toEqual(['r1', 'a', 'c']);

    h.store.saveFaultRules({ rules: [row('c'), row('z')], nextId: 9 });
    expect(h.store.loadFaultRules()).toEqual({ rules: [row('c'), row('z')], nextId: 9 });
    h.store.saveFaultRules({ rules: [], nextId: 9 });
    expect(h.store.loadFaultRules()).toEqual({ rules: [], nextId: 9 });
  });

  it('refuses a duplicate id and malformed rows, changing nothing', () => {
    const h = harness(mode);
    h.store.addFaultRule(row('a'), 1);
    const refused = (fn: () => void, code: 'EXISTS' | 'INVALID') => {
      let error: unknown;
      try {
        fn();
      } catch (e) {
        error = e;
      }
      expect(isStoreError(error, code), String(error)).toBe(true);
    };
    refused(() => h.store.addFaultRule(row('a'), 1), 'EXISTS');
    refused(() => h.store.addFaultRule(row('x', { hits: -1 }), 1), 'INVALID');
    refused(() => h.store.addFaultRule(row('x', { source: 'file' as 'scenario' }), 1), 'INVALID');
    refused(() => h.store.saveFaultRules({ rules: [row('x'), row('x')], nextId: 1 }), 'EXISTS');
    refused(() => h.store.setFaultRuleCounters('a', { seen: 1.5, hits: 0, firstHitAt: null }), 'INVALID');
    expect(h.store.loadFaultRules()).toEqual({ rules: [row('a')], nextId: 1 });
  });

  it('reset() keeps them', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    h.store.appendMessage(f.inbox, msg(1));
    h.store.addFaultRule(row('a', { hits: 1, seen: 1 }), 4);
    h.store.reset();
    expect(h.store.findMessages({})).toEqual([]);
    expect(h.store.loadFaultRules()).toEqual({ rules: [row('a', { hits: 1, seen: 1 })], nextId: 4 });
  });
});

describe('fault rules on disk', () => {
  it('survive close and reopen, damaged rows included (for the registry to judge)', () => {
    const h = harness('disk');
    h.store.addFaultRule(row('a'), 1);
    h.store.addFaultRule(row('r3', { assignedId: true, hits: 2, seen: 5, firstHitAt: 7 }), 4);
    const before = h.store.loadFaultRules();
    h.store.database.prepare("UPDATE fault_rules SET definition = '{oops', seen = 'many' WHERE id = 'a'").run();
    const store = h.reopen()!;
    const after = store.loadFaultRules();
    expect(after.nextId).toBe(4);
    expect(after.rules[1]).toEqual(before.rules[1]);
    expect(after.rules[0]).toMatchObject({ id: 'a', definition: '{oops', seen: 'many' });
  });
});

describe('upgrading a v2 data dir', () => {
  /** a database as the v2 testbed left it */
  function v2Database(file: string): void {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db, 1_700_000_000_000, 2);
    expect(db.prepare('SELECT version FROM schema_version ORDER BY version').pluck().all()).toEqual([1, 2]);
    expect(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'fault_rules'").pluck().get()).toBeUndefined();
    db.exec(`
      INSERT INTO accounts (address, password, gestore, quota_bytes, enabled, created_at)
        VALUES ('${ALICE}', 'pec', 'alfa', NULL, 1, 1);
      INSERT INTO folders (id, address, name, uid_validity, uid_next, special_use, subscribed)
        VALUES (1, '${ALICE}', 'INBOX', 100, 2, NULL, 1);
      INSERT INTO message_raw (id, sha256, data) VALUES (1, x'00', x'4142');
      INSERT INTO messages (id, folder_id, uid, flags, internal_date, size, raw_id) VALUES (1, 1, 1, '', 10, 2, 1);
      INSERT INTO blobs (id, raw_id) VALUES (1, 1);
      INSERT INTO jobs (kind, due_at, payload, key) VALUES ('relay', 100, '{"blobId":1}', 'relay:x');
      INSERT INTO log (at, gestore, actor, event, detail) VALUES (5, 'alfa', 'orologio', 'arresto', '{}');
    `);
    db.close();
  }

  it('adds the fault rule table, keeps everything else, and opens again without migrating twice', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    v2Database(file);
    let store = openStore({ path: file });
    try {
      const db = store.database;
      expect(db.prepare('SELECT version FROM schema_version ORDER BY version').pluck().all()).toEqual([1, 2, 3]);
      expect(SCHEMA_VERSION).toBe(3);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(store.getFolder(ALICE, 'INBOX')).toMatchObject({ uidValidity: 100, uidNext: 2 });
      expect(store.getRaw(1).toString()).toBe('AB');
      expect(store.getBlob(1)?.toString()).toBe('AB');
      expect(store.listJobs().map((j) => j.payload)).toEqual([{ blobId: 1 }]);
      expect(store.queryLog({}).map((r) => r.event)).toEqual(['arresto']);
      expect(store.loadFaultRules()).toEqual({ rules: [], nextId: 1 });
      store.addFaultRule(row('a'), 2);
    } finally {
      store.close();
    }
    store = openStore({ path: file });
    try {
      expect(store.database.prepare('SELECT count(*) FROM schema_version').pluck().get()).toBe(3);
      expect(store.loadFaultRules()).toEqual({ rules: [row('a')], nextId: 2 });
    } finally {
      store.close();
    }
  });
});
