// Advancing virtual time through a busy world: instead of one jump, the clock stops at every
// moment some work falls due, lets that work (and whatever it causes at that same moment) finish,
// then moves on. So a 25 h advance fires the 12 h notice at +12 h, with +12 h in its Date header,
// before anything due later; and work that schedules more work (retries, late receipts) inside
// the span is done too.
import { parseDuration, type VirtualClock } from './clock.js';
import { advanceTarget } from './range.js';

export interface Workload {
  /** resolves when nothing is due now and nothing is running */
  idle(): Promise<void>;
  /** earliest due time of pending work, ms since the epoch */
  nextDueAt(): number | undefined;
}

/**
 * Moves `clock` forward by `by` (whole ms or `12h`), stopping at every due job; resolves with the
 * new time. A move the clock cannot make (range.ts) rejects with a ClockRangeError before
 * anything happens: no stop on the way, no job run, no log line.
 */
export async function advanceThrough(clock: VirtualClock, work: Workload, by: number | string): Promise<number> {
  const delta = typeof by === 'string' ? parseDuration(by) : by;
  const target = advanceTarget(clock.now(), delta, by);
  for (;;) {
    await work.idle();
    const next = work.nextDueAt();
    if (next === undefined || next > target) break;
    // A running clock may have passed `next` already; it never goes back.
    if (next > clock.now()) clock.set(next);
    else await new Promise((resolve) => setImmediate(resolve));
  }
  if (target > clock.now()) clock.set(target);
  await work.idle();
  return clock.now();
}
