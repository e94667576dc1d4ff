// Where the virtual clock stood when an on-disk testbed last ran. Virtual time must never go
// backwards across a restart (timers, UIDs and the log all assume it moves forward), and the log
// already holds the time of every event in id order, so the last record tells. The store has no
// "last record" query; ids are increasing, so a binary search over `afterId` finds it in
// O(log n) indexed lookups.
import type { Store } from '../store/types.js';

/** virtual time of the newest log record, undefined for an empty log */
export function lastRecordedTime(store: Pick<Store, 'queryLog'>): number | undefined {
  const after = (id: number) => store.queryLog({ afterId: id, limit: 1 })[0];
  if (!after(0)) return undefined;
  // smallest id with no record after it, between lo (has one after) and hi (has none)
  let lo = 0;
  let hi = 1;
  while (after(hi)) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (after(mid)) lo = mid;
    else hi = mid;
  }
  return after(lo)?.at;
}
