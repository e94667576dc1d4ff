// The clock options `start` and `scenario run` share, checked the same way before anything runs.

export interface ClockArgs {
  'clock-start'?: string;
  'clock-speed'?: number;
}

/** yargs `.check()` for --clock-start / --clock-speed: throws the message the user sees */
export function checkClockArgs(argv: ClockArgs): true {
  if (argv['clock-start'] !== undefined && Number.isNaN(Date.parse(argv['clock-start']))) throw new Error(`--clock-start is not a date: ${argv['clock-start']}`);
  if (argv['clock-speed'] !== undefined && !(argv['clock-speed'] >= 0)) throw new Error('--clock-speed must be >= 0');
  return true;
}
