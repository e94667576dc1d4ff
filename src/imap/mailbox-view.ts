// What one session's client believes about its selected mailbox: the UID ↔ sequence-number map,
// cached metadata, the session's \Recent set, and the store changes not yet told to the client.
// Sequence numbers only move when EXPUNGE/EXISTS responses are actually sent (RFC 3501 §7.4.1),
// so changes made elsewhere are queued here and flushed at a point the protocol allows.

import type { Folder, MessageRecord } from '../store/types.js';

export class MailboxView {
  readonly folderId: number;
  readonly name: string;
  readonly uidValidity: number;
  readonly readOnly: boolean;
  /** UIDs the client knows, ascending; sequence number = index + 1 */
  uids: number[];
  private readonly records = new Map<number, MessageRecord>();
  private readonly recent: Set<number>;
  private announcedRecent: number;
  private pendingNew: number[] = [];
  private readonly expunged = new Set<number>();
  private readonly changedFlags = new Set<number>();
  /** the folder was renumbered or deleted underneath the session */
  invalidated: { uidValidity: number | null } | null = null;

  /** `claimRecent` receives the ascending UIDs and returns those recent for this session */
  constructor(folder: Folder, records: MessageRecord[], readOnly: boolean, claimRecent: (uids: number[]) => Set<number>) {
    this.folderId = folder.id;
    this.name = folder.name;
    this.uidValidity = folder.uidValidity;
    this.readOnly = readOnly;
    const sorted = isAscending(records) ? records : [...records].sort((a, b) => a.uid - b.uid);
    this.uids = sorted.map((r) => r.uid);
    for (const r of sorted) this.records.set(r.uid, r);
    this.recent = claimRecent(this.uids);
    this.announcedRecent = this.recent.size;
  }

  get exists(): number {
    return this.uids.length;
  }

  get recentCount(): number {
    return this.recent.size;
  }

  get maxUid(): number {
    return this.uids.length ? this.uids[this.uids.length - 1] : 0;
  }

  /** 1-based sequence number of a UID the client knows, 0 if none */
  seqOf(uid: number): number {
    let lo = 0;
    let hi = this.uids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.uids[mid];
      if (v === uid) return mid + 1;
      if (v < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  record(uid: number): MessageRecord | undefined {
    return this.records.get(uid);
  }

  isRecent(uid: number): boolean {
    return this.recent.has(uid);
  }

  /** removed from the store but not yet reported with EXPUNGE */
  isExpunged(uid: number): boolean {
    return this.expunged.has(uid);
  }

  flagsOf(uid: number): string[] {
    const flags = this.records.get(uid)?.flags ?? [];
    return this.recent.has(uid) ? [...flags, '\\Recent'] : flags;
  }

  // ---- changes made by this session: already reported by the command itself ----

  updateRecord(record: MessageRecord): void {
    if (this.records.has(record.uid)) this.records.set(record.uid, record);
  }

  /** applies this session's own expunge; returns the EXPUNGE responses to send */
  applyOwnExpunge(uids: number[]): string[] {
    const gone = new Set(uids);
    const seqs: number[] = [];
    this.uids.forEach((uid, i) => {
      if (gone.has(uid)) seqs.push(i + 1);
    });
    this.pendingNew = this.pendingNew.filter((uid) => !gone.has(uid));
    this.remove(gone);
    return seqs.reverse().map((seq) => `* ${seq} EXPUNGE`);
  }

  // ---- changes made elsewhere: queued ----

  noteExists(record: MessageRecord, recent: boolean): void {
    if (this.records.has(record.uid)) return;
    this.records.set(record.uid, record);
    if (recent) this.recent.add(record.uid);
    this.pendingNew.push(record.uid);
  }

  noteExpunge(uids: number[]): void {
    for (const uid of uids) {
      if (!this.records.has(uid)) continue;
      const pendingIndex = this.pendingNew.indexOf(uid);
      if (pendingIndex !== -1) {
        // the client never heard of it: forget it silently
        this.pendingNew.splice(pendingIndex, 1);
        this.records.delete(uid);
        this.recent.delete(uid);
      } else {
        this.expunged.add(uid);
      }
    }
  }

  /** records new flags; when `report`, the client is told at the next flush */
  noteFlags(uid: number, flags: string[], report: boolean): void {
    const record = this.records.get(uid);
    if (!record || this.expunged.has(uid)) return;
    if (sameFlags(record.flags, flags)) return;
    this.records.set(uid, { ...record, flags });
    if (report) this.changedFlags.add(uid);
  }

  get hasPending(): boolean {
    return this.pendingNew.length > 0 || this.expunged.size > 0 || this.changedFlags.size > 0;
  }

  /**
   * Untagged responses for queued changes. EXPUNGE is held back while the client may be using
   * sequence numbers (FETCH, STORE, SEARCH); EXISTS may still go out then, because it counts the
   * expunged-but-unreported messages the client still sees.
   */
  flush(allowExpunge: boolean): string[] {
    const out: string[] = [];
    if (allowExpunge && this.expunged.size > 0) {
      out.push(...this.applyOwnExpunge([...this.expunged]));
      this.expunged.clear();
    }
    if (this.pendingNew.length > 0) {
      this.pendingNew.sort((a, b) => a - b);
      for (const uid of this.pendingNew) this.uids.push(uid);
      if (!isAscendingNumbers(this.uids)) this.uids.sort((a, b) => a - b);
      this.pendingNew = [];
      out.push(`* ${this.uids.length} EXISTS`);
    }
    if (this.recent.size !== this.announcedRecent) {
      this.announcedRecent = this.recent.size;
      out.push(`* ${this.recent.size} RECENT`);
    }
    for (const uid of this.changedFlags) {
      const seq = this.seqOf(uid);
      if (seq === 0 || this.expunged.has(uid)) continue;
      out.push(`* ${seq} FETCH (UID ${uid} FLAGS (${this.flagsOf(uid).join(' ')}))`);
    }
    this.changedFlags.clear();
    return out;
  }

  private remove(gone: Set<number>): void {
    if (gone.size === 0) return;
    this.uids = this.uids.filter((uid) => !gone.has(uid));
    for (const uid of gone) {
      this.records.delete(uid);
      this.recent.delete(uid);
      this.changedFlags.delete(uid);
      this.expunged.delete(uid);
    }
    this.announcedRecent = this.recent.size;
  }
}

function isAscending(records: MessageRecord[]): boolean {
  for (let i = 1; i < records.length; i++) if (records[i].uid <= records[i - 1].uid) return false;
  return true;
}

function isAscendingNumbers(values: number[]): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] <= values[i - 1]) return false;
  return true;
}

function sameFlags(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((f) => set.has(f));
}
