// How far virtual time may go, and the error for a time (or a move) that would leave that range.
//
// Everything the testbed writes carries the clock's time, with a four-digit year: the Date header
// and IMAP INTERNALDATE, daticert's giorno/ora and the stamp in identificativi (Rome time), the
// log and the API (ISO 8601), and X.509 validity (GeneralizedTime). Certificates reach furthest:
// at any virtual time the testbed may issue its CA again, valid for ten years from then
// (src/pki/issue.ts LIFETIME.ca). So the latest virtual time is the end of year 9989 in Rome:
// ten years on is still in year 9999, and every time in range is storable (the store keeps safe
// integers), a JavaScript Date (±8.64e15 ms), and printable. The earliest is the Unix epoch: PEC
// began in 2005 and RFC 5322 wants years from 1900, so nothing earlier is worth simulating, and no
// stamp gets a minus sign.

/** the earliest virtual time, ms since the epoch: 1970-01-01T00:00:00.000Z */
export const EARLIEST_TIME = 0;
/** the latest virtual time, ms since the epoch: 9989-12-31T22:59:59.999Z (23:59:59.999 in Rome) */
export const LATEST_TIME = Date.UTC(9989, 11, 31, 22, 59, 59, 999);

/** the values a refused input could have taken (ms), for an error body to show */
export interface AllowedRange {
  min: number;
  max: number;
}

/** the clock refused a time, a move or a speed; nothing about the clock changed */
export class ClockRangeError extends RangeError {
  override readonly name = 'ClockRangeError';
  constructor(
    message: string,
    readonly allowed?: AllowedRange,
  ) {
    super(message);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** `between 0 (1970-01-01T00:00:00.000Z) and … (9989-12-31T22:59:59.999Z)`, for messages */
export const RANGE_TEXT = `between ${EARLIEST_TIME} (${iso(EARLIEST_TIME)}) and ${LATEST_TIME} (${iso(LATEST_TIME)})`;

/** `at` if it can be a virtual time (a whole number of ms in range), else a ClockRangeError naming `what` */
export function checkTime(at: number, what: string): number {
  if (!Number.isInteger(at) || at < EARLIEST_TIME || at > LATEST_TIME) {
    throw new ClockRangeError(`${what} must be a whole number of ms ${RANGE_TEXT}, got ${String(at)}`, { min: EARLIEST_TIME, max: LATEST_TIME });
  }
  return at;
}

/** where advancing by `delta` ms from `from` lands; a ClockRangeError (`asked` is what the caller gave) when it cannot */
export function advanceTarget(from: number, delta: number, asked: number | string = delta): number {
  const allowed = { min: 0, max: LATEST_TIME - from };
  const shown = String(asked).length > 40 ? `${String(asked).slice(0, 40)}…` : String(asked);
  const refuse = (why: string) => new ClockRangeError(`cannot advance the clock by ${shown}: ${why}`, allowed);
  if (Number.isNaN(delta) || delta < 0) throw refuse('the clock only moves forward');
  if (delta > allowed.max) {
    throw refuse(`virtual time stays ${RANGE_TEXT}; from ${iso(from)} it can move at most ${allowed.max} ms`);
  }
  // the store, the log and every timer keep whole milliseconds
  if (!Number.isInteger(delta)) throw refuse('the clock moves in whole milliseconds');
  return from + delta;
}
