// The SQLite schema and its migrations. A database records the versions applied in
// `schema_version`; openStore runs the missing ones in order, each in its own transaction, so
// a data dir written by an older testbed is upgraded in place and a newer one is refused.
// A migration is frozen once released: it is what turned that version's databases into the next,
// so it repeats its own SQL and hashing rather than calling the modules that serve the live schema.

import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

interface Migration {
  version: number;
  /** SQL, or code for a step SQL cannot do alone; runs inside the migration's transaction */
  up: string | ((db: Database.Database) => void);
  /**
   * The migration rebuilds a table other tables reference. SQLite's procedure for that (the
   * "generalized ALTER TABLE" of its docs) needs foreign_keys off, which cannot change inside a
   * transaction: the runner turns it off around this migration and runs foreign_key_check before
   * committing instead.
   */
  rebuildsReferencedTable?: boolean;
}

// Message bytes live in `message_raw`, not in `messages`: a 10 KB blob inline would spread the
// metadata rows over one page each and make listing a folder read the whole mailbox. Copies share
// one raw row; a trigger drops it with its last message.
const V1 = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE accounts (
  address     TEXT PRIMARY KEY,
  password    TEXT NOT NULL,
  gestore     TEXT,
  quota_bytes INTEGER,
  enabled     INTEGER NOT NULL,
  created_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE folders (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  address      TEXT NOT NULL REFERENCES accounts(address),
  name         TEXT NOT NULL,
  uid_validity INTEGER NOT NULL,
  uid_next     INTEGER NOT NULL,
  special_use  TEXT,
  subscribed   INTEGER NOT NULL,
  UNIQUE (address, name)
);

CREATE TABLE message_raw (
  id   INTEGER PRIMARY KEY,
  data BLOB NOT NULL
);

CREATE TABLE messages (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  folder_id      INTEGER NOT NULL REFERENCES folders(id),
  uid            INTEGER NOT NULL,
  flags          TEXT NOT NULL,
  internal_date  INTEGER NOT NULL,
  size           INTEGER NOT NULL,
  raw_id         INTEGER NOT NULL REFERENCES message_raw(id),
  kind           TEXT,
  ref_message_id TEXT,
  identificativo TEXT,
  message_id     TEXT,
  subject        TEXT,
  from_addr      TEXT,
  UNIQUE (folder_id, uid)
);
CREATE INDEX messages_kind ON messages(kind) WHERE kind IS NOT NULL;
CREATE INDEX messages_ref ON messages(ref_message_id) WHERE ref_message_id IS NOT NULL;
CREATE INDEX messages_ident ON messages(identificativo) WHERE identificativo IS NOT NULL;
CREATE INDEX messages_date ON messages(internal_date);
CREATE INDEX messages_raw ON messages(raw_id);

CREATE TRIGGER messages_drop_raw AFTER DELETE ON messages
WHEN NOT EXISTS (SELECT 1 FROM messages WHERE raw_id = OLD.raw_id)
BEGIN
  DELETE FROM message_raw WHERE id = OLD.raw_id;
END;

CREATE TABLE flows (
  identificativo    TEXT PRIMARY KEY,
  gestore           TEXT NOT NULL,
  sender            TEXT NOT NULL,
  client_message_id TEXT NOT NULL,
  subject           TEXT NOT NULL,
  receipt_type      TEXT NOT NULL,
  created_at        INTEGER NOT NULL
);
CREATE INDEX flows_client ON flows(client_message_id);
CREATE INDEX flows_gestore ON flows(gestore);
CREATE INDEX flows_sender ON flows(sender COLLATE NOCASE);

CREATE TABLE flow_recipients (
  flow       TEXT NOT NULL REFERENCES flows(identificativo),
  pos        INTEGER NOT NULL,
  address    TEXT NOT NULL,
  type       TEXT NOT NULL,
  header     TEXT NOT NULL,
  state      TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (flow, pos)
) WITHOUT ROWID;

CREATE TABLE blobs (
  id   INTEGER PRIMARY KEY AUTOINCREMENT,
  data BLOB NOT NULL
);

CREATE TABLE jobs (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT NOT NULL,
  due_at     INTEGER NOT NULL,
  payload    TEXT NOT NULL,
  key        TEXT UNIQUE,
  attempts   INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX jobs_due ON jobs(due_at, id);
CREATE INDEX jobs_kind ON jobs(kind);

-- keys of completed jobs: enqueueing one again is a no-op, so a receipt is sent once even
-- when the engine replays its work after a restart
CREATE TABLE jobs_done (
  key TEXT PRIMARY KEY
) WITHOUT ROWID;

CREATE TABLE log (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  at             INTEGER NOT NULL,
  gestore        TEXT NOT NULL,
  actor          TEXT NOT NULL,
  event          TEXT NOT NULL,
  identificativo TEXT,
  message_id     TEXT,
  detail         TEXT NOT NULL
);
CREATE INDEX log_ident ON log(identificativo) WHERE identificativo IS NOT NULL;
CREATE INDEX log_msgid ON log(message_id) WHERE message_id IS NOT NULL;
CREATE INDEX log_at ON log(at);
`;

// v2: bytes are content-addressed. A PEC flow used to write the same bytes several times (the
// busta as the sender's relay blob, again as the receiving MX's blob, again into the mailbox), and
// commit cost grows with the bytes written; now identical bytes are one `message_raw` row, found by
// its SHA-256, and `blobs` rows are references to it. Blob ids stay as they were: pending jobs
// carry them in their JSON payloads. A raw row lives while a message or a blob references it: one
// trigger per referencing table drops it with the last reference.
//
// The tables are rebuilt (rather than ALTERed) so that `sha256` and `raw_id` are NOT NULL and the
// hash sits before the bytes in each row. The old trigger goes first: RENAME re-checks every
// trigger, and that one names `message_raw` while it is briefly missing.
function v2(db: Database.Database): void {
  db.exec(`
    DROP TRIGGER messages_drop_raw;
    CREATE TABLE message_raw_v2 (
      id     INTEGER PRIMARY KEY,
      sha256 BLOB NOT NULL UNIQUE,
      data   BLOB NOT NULL
    );
    CREATE TABLE blobs_v2 (
      id     INTEGER PRIMARY KEY AUTOINCREMENT,
      raw_id INTEGER NOT NULL REFERENCES message_raw_v2(id)
    );
  `);
  const insert = db.prepare('INSERT INTO message_raw_v2 (id, sha256, data) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING');
  const byHash = db.prepare('SELECT id FROM message_raw_v2 WHERE sha256 = ?').pluck();
  const keep = (id: number | null, data: Buffer): number => {
    const sha256 = createHash('sha256').update(data).digest();
    const info = insert.run(id, sha256, data);
    return info.changes > 0 ? Number(info.lastInsertRowid) : (byHash.get(sha256) as number);
  };

  // Ascending ids, each row keeping its id unless the same bytes came before: its messages then
  // move to that earlier id, which no later repoint of this loop can match again. One row at a
  // time, because better-sqlite3 runs no other statement while an iterator is open. A raw row no
  // message references (v1's trigger left none) is not carried over.
  const rawIds = db.prepare('SELECT r.id FROM message_raw r WHERE EXISTS (SELECT 1 FROM messages m WHERE m.raw_id = r.id) ORDER BY r.id').pluck().all() as number[];
  const readRaw = db.prepare('SELECT data FROM message_raw WHERE id = ?').pluck();
  const repoint = db.prepare('UPDATE messages SET raw_id = ? WHERE raw_id = ?');
  for (const id of rawIds) {
    const kept = keep(id, readRaw.get(id) as Buffer);
    if (kept !== id) repoint.run(kept, id);
  }

  // blob bytes not already kept get fresh raw ids, above every id the loop above kept
  const blobIds = db.prepare('SELECT id FROM blobs ORDER BY id').pluck().all() as number[];
  const readBlob = db.prepare('SELECT data FROM blobs WHERE id = ?').pluck();
  const reference = db.prepare('INSERT INTO blobs_v2 (id, raw_id) VALUES (?, ?)');
  for (const id of blobIds) reference.run(id, keep(null, readBlob.get(id) as Buffer));
  // AUTOINCREMENT's high-water mark, so a deleted blob's id is not handed out again: a job that
  // still names it must find it gone, not find other bytes
  const blobSeq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'blobs'").pluck().get() as number | undefined;

  db.exec(`
    DROP TABLE message_raw;
    ALTER TABLE message_raw_v2 RENAME TO message_raw;
    DROP TABLE blobs;
    ALTER TABLE blobs_v2 RENAME TO blobs;
    CREATE INDEX blobs_raw ON blobs(raw_id);

    CREATE TRIGGER messages_drop_raw AFTER DELETE ON messages
    WHEN NOT EXISTS (SELECT 1 FROM messages WHERE raw_id = OLD.raw_id)
     AND NOT EXISTS (SELECT 1 FROM blobs WHERE raw_id = OLD.raw_id)
    BEGIN
      DELETE FROM message_raw WHERE id = OLD.raw_id;
    END;

    CREATE TRIGGER blobs_drop_raw AFTER DELETE ON blobs
    WHEN NOT EXISTS (SELECT 1 FROM blobs WHERE raw_id = OLD.raw_id)
     AND NOT EXISTS (SELECT 1 FROM messages WHERE raw_id = OLD.raw_id)
    BEGIN
      DELETE FROM message_raw WHERE id = OLD.raw_id;
    END;
  `);
  if (blobSeq !== undefined) {
    db.prepare("DELETE FROM sqlite_sequence WHERE name = 'blobs'").run();
    db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('blobs', ?)").run(blobSeq);
  }
}

// v3: the fault rules in force, so that a restart on the same data dir brings back the rules added
// at run time with their counters (`times`, `nth` and `for` depend on them). `definition` is the
// rule as JSON text, validated again at start: the rule schema evolves with the code, not with the
// database, and a rule it no longer accepts is skipped rather than kept as a column layout.
// No CHECK constraints: the loader judges every row anyway, and a new source would otherwise mean
// rebuilding the table. The next automatic id (`r<N>`) is the meta row `fault_rule_next_id`.
const V3 = `
CREATE TABLE fault_rules (
  id           TEXT PRIMARY KEY,
  pos          INTEGER NOT NULL UNIQUE,
  source       TEXT NOT NULL,
  assigned_id  INTEGER NOT NULL,
  definition   TEXT NOT NULL,
  seen         INTEGER NOT NULL,
  hits         INTEGER NOT NULL,
  first_hit_at INTEGER
);
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, up: V1 },
  { version: 2, up: v2, rebuildsReferencedTable: true },
  { version: 3, up: V3 },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** brings the database to `target` (tests pass an older one to build what an older testbed left) */
export function migrate(db: Database.Database, now: number, target: number = SCHEMA_VERSION): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    applied_at INTEGER NOT NULL
  )`);
  const applied = db.prepare('SELECT 1 FROM schema_version WHERE version = ?').pluck();
  const current = (db.prepare('SELECT MAX(version) FROM schema_version').pluck().get() as number | null) ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new Error(`store: database schema v${current} is newer than this testbed (v${SCHEMA_VERSION})`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current || m.version > target) continue;
    const fkOff = m.rebuildsReferencedTable === true && db.pragma('foreign_keys', { simple: true }) === 1;
    if (fkOff) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        // another connection may have applied it while this one waited for the write lock
        if (applied.get(m.version) !== undefined) return;
        if (typeof m.up === 'string') db.exec(m.up);
        else m.up(db);
        if (m.version === 1) seedUidValidity(db, now);
        if (m.rebuildsReferencedTable) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`store: migration to v${m.version} broke ${broken.length} foreign key(s)`);
        }
        db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(m.version, now);
      }).immediate();
    } finally {
      if (fkOff) db.pragma('foreign_keys = ON');
    }
  }
}

// UIDVALIDITY values come from one store-wide counter, so a folder deleted and created again
// never gets its old value back. Seeding it from the wall clock (seconds) also keeps a freshly
// wiped data dir from handing a client the values it cached from the previous one.
function seedUidValidity(db: Database.Database, now: number): void {
  const seed = Math.min(Math.max(1, Math.floor(now / 1000)), 0xffff_0000);
  db.prepare("INSERT INTO meta (key, value) VALUES ('uid_validity_next', ?)").run(seed);
}
