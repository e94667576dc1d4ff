// \Recent is session state (RFC 3501 §2.3.2): a message is recent for the first session that
// sees it. The server keeps, per folder, the highest UID some session has already claimed.
// Messages that were in a folder before the server started are not recent for anyone.

export class RecentTracker {
  private readonly claimed = new Map<number, number>();

  /** a message arrived; the first arrival after start-up fixes the folder's baseline */
  noteArrival(folderId: number, uid: number): void {
    if (!this.claimed.has(folderId)) this.claimed.set(folderId, uid - 1);
  }

  /** claims the recent ones among `uids` (ascending) for a session selecting the folder */
  claim(folderId: number, uids: number[]): Set<number> {
    const max = uids.length ? uids[uids.length - 1] : 0;
    const last = this.claimed.get(folderId);
    this.claimed.set(folderId, Math.max(last ?? max, max));
    const recent = new Set<number>();
    if (last === undefined) return recent;
    for (let i = uids.length - 1; i >= 0 && uids[i] > last; i--) recent.add(uids[i]);
    return recent;
  }

  /** a selected session learns of a new message: recent for it if nobody claimed it yet */
  claimOne(folderId: number, uid: number): boolean {
    const last = this.claimed.get(folderId) ?? uid - 1;
    if (uid <= last) return false;
    this.claimed.set(folderId, uid);
    return true;
  }

  /** how many would be recent, without claiming them (STATUS RECENT) */
  peek(folderId: number, uids: number[]): number {
    const last = this.claimed.get(folderId);
    if (last === undefined) return 0;
    let n = 0;
    for (let i = uids.length - 1; i >= 0 && uids[i] > last; i--) n++;
    return n;
  }

  /** the folder was renumbered: nothing in it is recent any more */
  reset(folderId: number): void {
    this.claimed.delete(folderId);
  }
}
