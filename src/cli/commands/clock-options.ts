// The clock options `start` and `scenario run` share, checked the same way before anything runs.
import { checkTime } from '../../clock/range.js';

export interface ClockArgs {
  'clock-start'?: string;
  'clock-speed'?: number;
}

/** yargs `.check()` for --clock-start / --clock-speed: throws the message the user sees */
export function checkClockArgs(argv: ClockArgs): true {
  const start = argv['clock-start'];
  if (start !== undefined) {
    const ms = Date.parse(start);
    if (Number.isNaN(ms)) throw new Error(`--clock-start is not a date: ${start}`);
    // Refused here, not when the clock is built, so it is a usage error (exit 2) like any other.
    checkTime(ms, `--clock-start ${start}`);
  }
  const speed = argv['clock-speed'];
  if (speed !== undefined) {
    // yargs turns "abc" into NaN: say what was wrong with it rather than quoting a bound.
    if (Number.isNaN(speed)) throw new Error('--clock-speed is not a number');
    // 1e400 parses as Infinity, which the clock refuses only once the testbed starts.
    if (!Number.isFinite(speed) || speed < 0) throw new Error(`--clock-speed must be a finite number >= 0, got ${speed}`);
  }
  return true;
}
