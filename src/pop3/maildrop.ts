// The maildrop of one POP3 session: a snapshot of the account's INBOX taken at login (RFC 1939
// §5: messages arriving later appear at the next login), the session's deletion marks, and the
// UPDATE step that applies them to the store.
//
// Entries remember the store-wide message id, not just the UID: if IMAP renumbers the folder
// (new UIDVALIDITY) or moves a message away during the session, we still act on the right one.

import type { Folder, Store } from '../store/types.js';

export interface MaildropEntry {
  /** 1-based message number */
  number: number;
  id: number;
  uid: number;
  size: number;
  deleted: boolean;
}

export type Lookup =
  | { ok: true; entry: MaildropEntry }
  | { ok: false; reason: string };

export class Maildrop {
  private constructor(
    private readonly store: Store,
    readonly folder: Folder,
    readonly entries: MaildropEntry[],
  ) {}

  static open(store: Store, folder: Folder): Maildrop {
    const records = store.listMessages(folder.id).slice().sort((a, b) => a.uid - b.uid);
    const entries = records.map((r, i) => ({ number: i + 1, id: r.id, uid: r.uid, size: r.size, deleted: false }));
    return new Maildrop(store, folder, entries);
  }

  /** Stable across sessions and restarts: UIDVALIDITY and UID never repeat together. */
  uidl(entry: MaildropEntry): string {
    return `${this.folder.uidValidity}.${entry.uid}`;
  }

  /** Messages not marked deleted, and their total size. */
  stat(): { count: number; octets: number } {
    let count = 0;
    let octets = 0;
    for (const e of this.entries) {
      if (e.deleted) continue;
      count++;
      octets += e.size;
    }
    return { count, octets };
  }

  visible(): MaildropEntry[] {
    return this.entries.filter((e) => !e.deleted);
  }

  /** Resolves a message-number argument as typed by the client. */
  lookup(arg: string): Lookup {
    if (!/^[0-9]{1,9}$/.test(arg)) return { ok: false, reason: 'invalid message number' };
    const n = Number(arg);
    const entry = this.entries[n - 1];
    if (n < 1 || !entry) return { ok: false, reason: 'no such message' };
    if (entry.deleted) return { ok: false, reason: `message ${n} already deleted` };
    return { ok: true, entry };
  }

  /** The stored bytes, or null when the message left the INBOX since login (IMAP expunge/move). */
  raw(entry: MaildropEntry): Buffer | null {
    if (this.currentUid(entry) === null) return null;
    try {
      return this.store.getRaw(entry.id);
    } catch {
      return null;
    }
  }

  /** RETR marks the message \Seen in the store, so IMAP users see POP3-read mail as read. */
  markSeen(entry: MaildropEntry): void {
    const uid = this.currentUid(entry);
    if (uid !== null) this.store.setFlags(this.folder.id, [uid], ['\\Seen'], 'add');
  }

  dele(entry: MaildropEntry): void {
    entry.deleted = true;
  }

  rset(): void {
    for (const e of this.entries) e.deleted = false;
  }

  /** UPDATE state: flags the marked messages \Deleted and expunges exactly those, atomically. */
  commit(): number[] {
    const marked = this.entries.filter((e) => e.deleted);
    if (marked.length === 0) return [];
    return this.store.transaction(() => {
      const uids: number[] = [];
      for (const e of marked) {
        const uid = this.currentUid(e);
        if (uid !== null) uids.push(uid);
      }
      if (uids.length === 0) return [];
      this.store.setFlags(this.folder.id, uids, ['\\Deleted'], 'add');
      return this.store.expunge(this.folder.id, uids);
    });
  }

  private currentUid(entry: MaildropEntry): number | null {
    const rec = this.store.getMessage(entry.id);
    return rec && rec.folderId === this.folder.id ? rec.uid : null;
  }
}
