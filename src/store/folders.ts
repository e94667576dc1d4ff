// Folders of a mailbox and their UID bookkeeping: UIDVALIDITY from a store-wide counter (never
// handed out twice), uidNext kept in the row so UIDs are never reused within a UIDVALIDITY, and
// the RFC 3501 rules for CREATE, DELETE and RENAME (INBOX's rename moves its messages out).

import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import { ancestors, DELIMITER, INBOX, normalizeFolderName } from './names.js';
import type { Folder, SpecialUse } from './types.js';

export interface FolderRow {
  id: number;
  address: string;
  name: string;
  uid_validity: number;
  uid_next: number;
  special_use: string | null;
  subscribed: number;
}

const SPECIAL_USES: readonly SpecialUse[] = ['\\Sent', '\\Trash', '\\Drafts', '\\Junk', '\\Archive'];
const MAX_UID_VALIDITY = 0xffff_ffff;

export function toFolder(row: FolderRow): Folder {
  return {
    id: row.id,
    address: row.address,
    name: row.name,
    uidValidity: row.uid_validity,
    uidNext: row.uid_next,
    specialUse: row.special_use as SpecialUse | null,
    subscribed: row.subscribed === 1,
  };
}

export class Folders {
  constructor(private readonly ctx: StoreContext) {}

  row(id: number): FolderRow | undefined {
    return this.ctx.stmt<FolderRow>('SELECT * FROM folders WHERE id = ?').get(id);
  }

  /** the row, or a NOT_FOUND error naming what the caller asked for */
  mustRow(id: number): FolderRow {
    const row = this.row(id);
    if (!row) throw new StoreError('NOT_FOUND', `no folder with id ${id}`);
    return row;
  }

  rowByName(address: string, name: string): FolderRow | undefined {
    return this.ctx.stmt<FolderRow>('SELECT * FROM folders WHERE address = ? AND name = ?').get(address, name);
  }

  list(address: string): Folder[] {
    return this.ctx
      .stmt<FolderRow>(`SELECT * FROM folders WHERE address = ? ORDER BY name = '${INBOX}' DESC, name`)
      .all(address)
      .map(toFolder);
  }

  get(address: string, name: string): Folder | undefined {
    let canonical: string;
    try {
      canonical = normalizeFolderName(name);
    } catch {
      return undefined;
    }
    const row = this.rowByName(address, canonical);
    return row && toFolder(row);
  }

  getById(id: number): Folder | undefined {
    const row = this.row(id);
    return row && toFolder(row);
  }

  create(address: string, name: string, specialUse: SpecialUse | null = null): Folder {
    if (specialUse !== null && !SPECIAL_USES.includes(specialUse)) {
      throw new StoreError('INVALID', `unknown special use ${String(specialUse)}`);
    }
    const canonical = normalizeFolderName(name);
    return this.ctx.transaction(() => {
      this.mustAccount(address);
      if (this.rowByName(address, canonical)) throw new StoreError('EXISTS', `folder ${canonical} exists`);
      // RFC 3501 CREATE: the server SHOULD create the superior levels that are missing
      for (const parent of ancestors(canonical)) {
        if (!this.rowByName(address, parent)) this.insert(address, parent, null, 1);
      }
      const row = this.insert(address, canonical, specialUse, 1);
      this.ctx.emit({ kind: 'change', address, change: { type: 'folders' } });
      return toFolder(row);
    });
  }

  /** inserts a folder row with a fresh UIDVALIDITY; no checks, no event */
  insert(address: string, name: string, specialUse: SpecialUse | null, uidNext: number, subscribed = true): FolderRow {
    const info = this.ctx
      .stmt(
        `INSERT INTO folders (address, name, uid_validity, uid_next, special_use, subscribed)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(address, name, this.nextUidValidity(), uidNext, specialUse, subscribed ? 1 : 0);
    return this.row(Number(info.lastInsertRowid))!;
  }

  // RFC 3501 lets a deleted folder with children live on as \Noselect; the contract has no such
  // state, so the row goes and the children stay, each a complete folder of its own.
  delete(address: string, name: string): void {
    const canonical = normalizeFolderName(name);
    if (canonical === INBOX) throw new StoreError('INVALID', 'INBOX cannot be deleted');
    this.ctx.transaction(() => {
      const row = this.rowByName(address, canonical);
      if (!row) throw new StoreError('NOT_FOUND', `no folder ${canonical} for ${address}`);
      this.ctx.stmt('DELETE FROM messages WHERE folder_id = ?').run(row.id);
      this.ctx.stmt('DELETE FROM folders WHERE id = ?').run(row.id);
      this.ctx.emit({ kind: 'change', address, change: { type: 'folders' } });
    });
  }

  rename(address: string, from: string, to: string): void {
    const source = normalizeFolderName(from);
    const target = normalizeFolderName(to);
    this.ctx.transaction(() => {
      const row = this.rowByName(address, source);
      if (!row) throw new StoreError('NOT_FOUND', `no folder ${source} for ${address}`);
      if (source === INBOX) this.renameInbox(row, target);
      else this.renameTree(row, target);
      this.ctx.emit({ kind: 'change', address, change: { type: 'folders' } });
    });
  }

  // RFC 3501: renaming INBOX moves its messages to a new folder and leaves INBOX empty; INBOX
  // keeps its id, UIDVALIDITY and uidNext so open sessions just see the messages expunged.
  private renameInbox(inbox: FolderRow, target: string): void {
    if (this.rowByName(inbox.address, target)) throw new StoreError('EXISTS', `folder ${target} exists`);
    this.createAncestors(inbox.address, target);
    const moved = this.insert(inbox.address, target, null, inbox.uid_next, inbox.subscribed === 1);
    const uids = this.ctx.pluck<number>('SELECT uid FROM messages WHERE folder_id = ? ORDER BY uid').all(inbox.id);
    this.ctx.stmt('UPDATE messages SET folder_id = ? WHERE folder_id = ?').run(moved.id, inbox.id);
    if (uids.length > 0) {
      this.ctx.emit({ kind: 'change', address: inbox.address, change: { type: 'expunge', folderId: inbox.id, uids } });
    }
  }

  private renameTree(row: FolderRow, target: string): void {
    if (target === INBOX) throw new StoreError('EXISTS', 'INBOX exists');
    if (target === row.name) throw new StoreError('EXISTS', `folder ${target} exists`);
    const prefix = row.name + DELIMITER;
    if (target.startsWith(prefix)) throw new StoreError('INVALID', `cannot move ${row.name} under itself`);
    const children = this.ctx
      .stmt<FolderRow>('SELECT * FROM folders WHERE address = ? AND substr(name, 1, length(?)) = ?')
      .all(row.address, prefix, prefix);
    const moving = [row, ...children];
    const movingIds = new Set(moving.map((f) => f.id));
    const renames = moving.map((f) => ({ id: f.id, name: target + f.name.slice(row.name.length) }));
    for (const r of renames) {
      const clash = this.rowByName(row.address, r.name);
      if (clash && !movingIds.has(clash.id)) throw new StoreError('EXISTS', `folder ${r.name} exists`);
    }
    // two passes, so a new name that is still some moving folder's old name cannot collide
    const setName = this.ctx.stmt('UPDATE folders SET name = ? WHERE id = ?');
    for (const r of renames) setName.run(`\u0000renaming\u0000${r.id}`, r.id);
    for (const r of renames) setName.run(r.name, r.id);
    this.createAncestors(row.address, target);
  }

  private createAncestors(address: string, name: string): void {
    for (const parent of ancestors(name)) {
      if (!this.rowByName(address, parent)) this.insert(address, parent, null, 1);
    }
  }

  setSubscribed(address: string, name: string, subscribed: boolean): void {
    const canonical = normalizeFolderName(name);
    this.ctx.transaction(() => {
      const info = this.ctx
        .stmt('UPDATE folders SET subscribed = ? WHERE address = ? AND name = ?')
        .run(subscribed ? 1 : 0, address, canonical);
      if (info.changes === 0) throw new StoreError('NOT_FOUND', `no folder ${canonical} for ${address}`);
    });
  }

  resetUidValidity(folderId: number): number {
    return this.ctx.transaction(() => {
      const row = this.mustRow(folderId);
      const uidValidity = this.nextUidValidity();
      // negate first: renumbering in one statement could hit the (folder_id, uid) unique index
      this.ctx.stmt('UPDATE messages SET uid = -uid WHERE folder_id = ?').run(folderId);
      this.ctx
        .stmt(
          `UPDATE messages SET uid = r.n
           FROM (SELECT id, row_number() OVER (ORDER BY uid DESC) AS n FROM messages WHERE folder_id = ?) AS r
           WHERE messages.id = r.id`,
        )
        .run(folderId);
      const count = this.ctx.pluck<number>('SELECT count(*) FROM messages WHERE folder_id = ?').get(folderId)!;
      this.ctx.stmt('UPDATE folders SET uid_validity = ?, uid_next = ? WHERE id = ?').run(uidValidity, count + 1, folderId);
      this.ctx.emit({ kind: 'change', address: row.address, change: { type: 'uidvalidity', folderId, uidValidity } });
      return uidValidity;
    });
  }

  /** takes the next UIDVALIDITY from the store-wide counter; call inside a transaction */
  nextUidValidity(): number {
    const value = this.ctx.pluck<number>("SELECT value FROM meta WHERE key = 'uid_validity_next'").get()!;
    const next = value >= MAX_UID_VALIDITY ? 1 : value + 1;
    this.ctx.stmt("UPDATE meta SET value = ? WHERE key = 'uid_validity_next'").run(next);
    return value;
  }

  private mustAccount(address: string): void {
    if (!this.ctx.stmt('SELECT 1 FROM accounts WHERE address = ?').get(address)) {
      throw new StoreError('NOT_FOUND', `no account ${address}`);
    }
  }
}
