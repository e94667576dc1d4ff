// Where the virtual clock stood when an on-disk testbed last ran. Virtual time must never go
// backwards across a restart (timers, UIDs and the log all assume it moves forward).
//
// The store's meta table keeps the time; reset() leaves it, unlike the log. A paused clock only
// moves when advanced or set, so recording each move (and the stop) makes it exact without a
// write per tick. A running clock moves between records: a clean stop records where it got to,
// and after a crash the newest log record may be later than the last record, so resuming takes
// the later of the two. Data dirs from before the meta key have only the log.
import type { Store } from '../store/types.js';
import type { VirtualClock } from './clock.js';

/** meta key: the virtual time the clock last showed, ms since the epoch */
export const CLOCK_TIME_KEY = 'clock_time';

/** the virtual time to resume from; undefined for a store that never ran a clock */
export function resumeTime(store: Pick<Store, 'getMeta' | 'queryLog'>): number | undefined {
  const recorded = store.getMeta(CLOCK_TIME_KEY);
  const logged = lastRecordedTime(store);
  if (recorded === undefined) return logged;
  return logged === undefined ? recorded : Math.max(recorded, logged);
}

export interface ClockRecorder {
  /** records `at`, default now (at stop: a running clock has moved since its last jump) */
  record(at?: number): void;
  /** stops recording the clock's moves */
  close(): void;
}

/** records `clock`'s time in `store` at once and after every jump or speed change */
export function recordClock(clock: VirtualClock, store: Pick<Store, 'setMeta'>): ClockRecorder {
  const record = (at = clock.now()) => store.setMeta(CLOCK_TIME_KEY, at);
  record();
  const unsubscribe = clock.onChange(() => record());
  return { record, close: unsubscribe };
}

// The store has no "last record" query; ids are increasing, so a binary search over `afterId`
// finds it in O(log n) indexed lookups.
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
