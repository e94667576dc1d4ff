// Messages in folders: raw bytes kept verbatim (in `message_raw`, shared by copies and with any
// blob or message holding the same bytes: see putRaw in blobs.ts), UIDs taken from the folder's
// uidNext, flags in canonical form, and the metadata columns the API filters on. Every write
// queues the mailbox change that IMAP sessions turn into untagged responses.

import { asBuffer, putRaw } from './blobs.js';
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import type { Folders } from './folders.js';
import { applyFlags, decodeFlags, encodeFlags, normalizeAddress, normalizeFlags, normalizeFolderName } from './names.js';
import type { AppendOptions, FlagMode, MessageHit, MessageMeta, MessageQuery, MessageRecord } from './types.js';

// SELECTed as arrays in this column order (see COLUMNS): better-sqlite3 builds arrays about twice
// as fast as objects, which is what keeps a 10,000-message listing under 20 ms
type MessageRow = [
  id: number,
  folderId: number,
  uid: number,
  flags: string,
  internalDate: number,
  size: number,
  kind: string | null,
  refMessageId: string | null,
  identificativo: string | null,
  messageId: string | null,
  subject: string | null,
  from: string | null,
];

type HitRow = [...MessageRow, address: string, folder: string];

// never the raw bytes: listing a 10,000-message folder must not touch them
const COLUMNS = `m.id, m.folder_id, m.uid, m.flags, m.internal_date, m.size, m.kind, m.ref_message_id,
  m.identificativo, m.message_id, m.subject, m.from_addr`;

const META_KEYS = ['kind', 'refMessageId', 'identificativo', 'messageId', 'subject', 'from'] as const;

function toRecord(row: MessageRow | HitRow): MessageRecord {
  return {
    id: row[0],
    folderId: row[1],
    uid: row[2],
    flags: decodeFlags(row[3]),
    internalDate: row[4],
    size: row[5],
    kind: row[6],
    refMessageId: row[7],
    identificativo: row[8],
    messageId: row[9],
    subject: row[10],
    from: row[11],
  };
}

function checkMeta(meta: Partial<MessageMeta> | undefined): MessageMeta {
  const out: MessageMeta = { kind: null, refMessageId: null, identificativo: null, messageId: null, subject: null, from: null };
  for (const key of META_KEYS) {
    const value = meta?.[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new StoreError('INVALID', `meta.${key} must be a string or null`);
    out[key] = value;
  }
  return out;
}

function checkTime(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new StoreError('INVALID', `${what} must be an integer number of ms, got ${String(value)}`);
  }
  return value;
}

function checkCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new StoreError('INVALID', `${what} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/** distinct uids, ascending, ignoring anything that cannot be a UID */
function uidSet(uids: readonly number[]): number[] {
  return [...new Set(uids.filter((u) => Number.isSafeInteger(u) && u > 0))].sort((a, b) => a - b);
}

export class Messages {
  constructor(
    private readonly ctx: StoreContext,
    private readonly folders: Folders,
  ) {}

  append(folderId: number, raw: Buffer, options: AppendOptions = {}): MessageRecord {
    const bytes = asBuffer(raw, 'raw');
    const flags = normalizeFlags(options.flags ?? []);
    const internalDate = options.internalDate === undefined ? this.ctx.now() : checkTime(options.internalDate, 'internalDate');
    const meta = checkMeta(options.meta);
    return this.ctx.transaction(() => {
      // one statement takes the UID and proves the folder exists
      const slot = this.ctx
        .stmt<{ uid: number; address: string }>(
          'UPDATE folders SET uid_next = uid_next + 1 WHERE id = ? RETURNING uid_next - 1 AS uid, address',
        )
        .get(folderId);
      if (!slot) throw new StoreError('NOT_FOUND', `no folder with id ${folderId}`);
      const rawId = putRaw(this.ctx, bytes);
      const info = this.ctx
        .stmt(
          `INSERT INTO messages (folder_id, uid, flags, internal_date, size, raw_id, kind, ref_message_id,
             identificativo, message_id, subject, from_addr)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          folderId, slot.uid, encodeFlags(flags), internalDate, bytes.length, rawId,
          meta.kind, meta.refMessageId, meta.identificativo, meta.messageId, meta.subject, meta.from,
        );
      const id = Number(info.lastInsertRowid);
      this.ctx.emit({ kind: 'change', address: slot.address, change: { type: 'exists', folderId, uid: slot.uid, messageId: id } });
      return { id, folderId, uid: slot.uid, flags, internalDate, size: bytes.length, ...meta };
    });
  }

  list(folderId: number): MessageRecord[] {
    return this.ctx.rows<MessageRow>(`SELECT ${COLUMNS} FROM messages m WHERE m.folder_id = ? ORDER BY m.uid`).all(folderId).map(toRecord);
  }

  get(id: number): MessageRecord | undefined {
    const row = this.ctx.rows<MessageRow>(`SELECT ${COLUMNS} FROM messages m WHERE m.id = ?`).get(id);
    return row && toRecord(row);
  }

  getByUid(folderId: number, uid: number): MessageRecord | undefined {
    const row = this.byUid(folderId, uid);
    return row && toRecord(row);
  }

  private byUid(folderId: number, uid: number): MessageRow | undefined {
    return this.ctx.rows<MessageRow>(`SELECT ${COLUMNS} FROM messages m WHERE m.folder_id = ? AND m.uid = ?`).get(folderId, uid);
  }

  getRaw(id: number): Buffer {
    const data = this.ctx
      .pluck<Buffer>('SELECT r.data FROM messages m JOIN message_raw r ON r.id = m.raw_id WHERE m.id = ?')
      .get(id);
    if (!data) throw new StoreError('NOT_FOUND', `no message with id ${id}`);
    return data;
  }

  setFlags(folderId: number, uids: number[], flags: string[], mode: FlagMode): MessageRecord[] {
    if (mode !== 'set' && mode !== 'add' && mode !== 'remove') throw new StoreError('INVALID', `unknown flag mode ${String(mode)}`);
    normalizeFlags(flags); // reject bad flags before touching anything
    return this.ctx.transaction(() => {
      const folder = this.folders.mustRow(folderId);
      const update = this.ctx.stmt('UPDATE messages SET flags = ? WHERE id = ?');
      const out: MessageRecord[] = [];
      for (const uid of uidSet(uids)) {
        const row = this.byUid(folderId, uid);
        if (!row) continue;
        const next = encodeFlags(applyFlags(decodeFlags(row[3]), flags, mode));
        if (next !== row[3]) {
          update.run(next, row[0]);
          row[3] = next;
          this.ctx.emit({ kind: 'change', address: folder.address, change: { type: 'flags', folderId, uid, flags: decodeFlags(next) } });
        }
        out.push(toRecord(row));
      }
      return out;
    });
  }

  expunge(folderId: number, uids?: number[]): number[] {
    return this.ctx.transaction(() => {
      const folder = this.folders.mustRow(folderId);
      const deleted = this.ctx
        .stmt<{ id: number; uid: number }>(
          `SELECT id, uid FROM messages WHERE folder_id = ? AND instr(' ' || flags || ' ', ' \\Deleted ') > 0 ORDER BY uid`,
        )
        .all(folderId);
      const only = uids && new Set(uids);
      const doomed = only ? deleted.filter((m) => only.has(m.uid)) : deleted;
      const del = this.ctx.stmt('DELETE FROM messages WHERE id = ?');
      for (const m of doomed) del.run(m.id);
      const removed = doomed.map((m) => m.uid);
      if (removed.length > 0) {
        this.ctx.emit({ kind: 'change', address: folder.address, change: { type: 'expunge', folderId, uids: removed } });
      }
      return removed;
    });
  }

  copy(folderId: number, uids: number[], destFolderId: number): Array<[number, number]> {
    return this.ctx.transaction(() => this.copyInside(folderId, uids, destFolderId).map((c) => [c.from, c.to] as [number, number]));
  }

  // A move is a copy plus a delete in one transaction: the moved message gets a new id, so
  // waiters on `afterId` see it arrive in the destination like any new message.
  move(folderId: number, uids: number[], destFolderId: number): Array<[number, number]> {
    return this.ctx.transaction(() => {
      const copied = this.copyInside(folderId, uids, destFolderId);
      const del = this.ctx.stmt('DELETE FROM messages WHERE id = ?');
      for (const c of copied) del.run(c.sourceId);
      if (copied.length > 0) {
        const address = this.folders.mustRow(folderId).address;
        this.ctx.emit({ kind: 'change', address, change: { type: 'expunge', folderId, uids: copied.map((c) => c.from) } });
      }
      return copied.map((c) => [c.from, c.to] as [number, number]);
    });
  }

  private copyInside(folderId: number, uids: number[], destFolderId: number): Array<{ from: number; to: number; sourceId: number }> {
    this.folders.mustRow(folderId);
    const dest = this.folders.mustRow(destFolderId);
    const insert = this.ctx.stmt(
      `INSERT INTO messages (folder_id, uid, flags, internal_date, size, raw_id, kind, ref_message_id,
         identificativo, message_id, subject, from_addr)
       SELECT ?, ?, flags, internal_date, size, raw_id, kind, ref_message_id, identificativo, message_id, subject, from_addr
       FROM messages WHERE id = ?`,
    );
    const out: Array<{ from: number; to: number; sourceId: number }> = [];
    let next = dest.uid_next;
    for (const uid of uidSet(uids)) {
      const row = this.byUid(folderId, uid);
      if (!row) continue;
      const id = Number(insert.run(destFolderId, next, row[0]).lastInsertRowid);
      this.ctx.emit({ kind: 'change', address: dest.address, change: { type: 'exists', folderId: destFolderId, uid: next, messageId: id } });
      out.push({ from: uid, to: next, sourceId: row[0] });
      next++;
    }
    if (next !== dest.uid_next) this.ctx.stmt('UPDATE folders SET uid_next = ? WHERE id = ?').run(next, destFolderId);
    return out;
  }

  delete(id: number): boolean {
    return this.ctx.transaction(() => {
      const row = this.ctx
        .stmt<{ folder_id: number; uid: number; address: string }>(
          'SELECT m.folder_id, m.uid, f.address FROM messages m JOIN folders f ON f.id = m.folder_id WHERE m.id = ?',
        )
        .get(id);
      if (!row) return false;
      this.ctx.stmt('DELETE FROM messages WHERE id = ?').run(id);
      this.ctx.emit({ kind: 'change', address: row.address, change: { type: 'expunge', folderId: row.folder_id, uids: [row.uid] } });
      return true;
    });
  }

  find(query: MessageQuery): MessageHit[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.address !== undefined) {
      where.push('f.address = ?');
      params.push(normalizeAddress(query.address));
    }
    if (query.folder !== undefined) {
      where.push('f.name = ?');
      params.push(normalizeFolderName(query.folder));
    }
    if (query.kind !== undefined) {
      where.push('m.kind = ?');
      params.push(query.kind);
    }
    if (query.refMessageId !== undefined) {
      where.push('m.ref_message_id = ?');
      params.push(query.refMessageId);
    }
    if (query.identificativo !== undefined) {
      where.push('m.identificativo = ?');
      params.push(query.identificativo);
    }
    if (query.subject !== undefined) {
      where.push('pec_icontains(m.subject, ?)');
      params.push(String(query.subject).toLowerCase());
    }
    if (query.since !== undefined) {
      where.push('m.internal_date >= ?');
      params.push(checkTime(query.since, 'since'));
    }
    if (query.afterId !== undefined) {
      where.push('m.id > ?');
      params.push(checkTime(query.afterId, 'afterId'));
    }
    params.push(query.limit === undefined ? -1 : checkCount(query.limit, 'limit'));
    params.push(query.offset === undefined ? 0 : checkCount(query.offset, 'offset'));
    const sql = `SELECT ${COLUMNS}, f.address, f.name AS folder
      FROM messages m JOIN folders f ON f.id = m.folder_id
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY m.id LIMIT ? OFFSET ?`;
    return this.ctx
      .rows<HitRow>(sql)
      .all(...params)
      .map((row) => ({ ...toRecord(row), address: row[12], folder: row[13] }));
  }
}
