// The SQLite schema and its migrations. A database records the versions applied in
// `schema_version`; openStore runs the missing ones in order, each in its own transaction, so
// a data dir written by an older testbed is upgraded in place and a newer one is refused.

import type Database from 'better-sqlite3';

interface Migration {
  version: number;
  up: string;
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

export const MIGRATIONS: readonly Migration[] = [{ version: 1, up: V1 }];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export function migrate(db: Database.Database, now: number): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    applied_at INTEGER NOT NULL
  )`);
  const current = (db.prepare('SELECT MAX(version) FROM schema_version').pluck().get() as number | null) ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new Error(`store: database schema v${current} is newer than this testbed (v${SCHEMA_VERSION})`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.up);
      if (m.version === 1) seedUidValidity(db, now);
      db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(m.version, now);
    }).immediate();
  }
}

// UIDVALIDITY values come from one store-wide counter, so a folder deleted and created again
// never gets its old value back. Seeding it from the wall clock (seconds) also keeps a freshly
// wiped data dir from handing a client the values it cached from the previous one.
function seedUidValidity(db: Database.Database, now: number): void {
  const seed = Math.min(Math.max(1, Math.floor(now / 1000)), 0xffff_0000);
  db.prepare("INSERT INTO meta (key, value) VALUES ('uid_validity_next', ?)").run(seed);
}
