// The only source of time in the testbed. Every Date header, daticert `data`, identificativo,
// timer, log line and IMAP INTERNALDATE reads `now()` from one Clock object, so a virtual clock
// can make 24 hours pass in a second and a fixed start can make output reproducible. Virtual time
// is a whole number of ms that stays in range.ts's range, whatever is asked of the clock.
import { advanceTarget, checkTime, ClockRangeError, EARLIEST_TIME, LATEST_TIME } from './range.js';

export interface Clock {
  /** current (possibly virtual) time, ms since the epoch */
  now(): number;
  /** real milliseconds until virtual time reaches `at` (Infinity when the clock is paused) */
  realDelayUntil(at: number): number;
  /** called after the clock jumps (advance, set) or changes speed, so waiters can re-plan */
  onChange(listener: () => void): () => void;
}

export interface VirtualClockOptions {
  /** virtual time at creation, ms since the epoch (whole, in range.ts's range); default: real now */
  start?: number;
  /** virtual ms per real ms; 0 pauses; default 1 */
  speed?: number;
  /** real time source, for tests of the clock itself */
  realNow?: () => number;
}

export class VirtualClock implements Clock {
  private anchorVirtual: number;
  private anchorReal: number;
  private currentSpeed: number;
  private readonly realNow: () => number;
  private readonly listeners = new Set<() => void>();

  constructor(options: VirtualClockOptions = {}) {
    this.realNow = options.realNow ?? Date.now;
    this.anchorReal = this.realNow();
    this.anchorVirtual = checkTime(options.start ?? Math.floor(this.anchorReal), 'the clock start');
    this.currentSpeed = checkSpeed(options.speed ?? 1);
  }

  now(): number {
    const moved = Math.floor(this.anchorVirtual + (this.realNow() - this.anchorReal) * this.currentSpeed);
    // A running clock stops at the end of the range instead of leaving it (at a huge speed that
    // is soon): from there on its time is still one every stamp can print, and work due later
    // never falls due. The lower clamp is for a real clock stepped backwards under a running one.
    return Math.min(Math.max(moved, EARLIEST_TIME), LATEST_TIME);
  }

  get speed(): number {
    return this.currentSpeed;
  }

  realDelayUntil(at: number): number {
    const remaining = at - this.now();
    if (remaining <= 0) return 0;
    // a running clock stops at LATEST_TIME, so later times never come
    if (this.currentSpeed === 0 || at > LATEST_TIME) return Infinity;
    return Math.ceil(remaining / this.currentSpeed);
  }

  setSpeed(speed: number): void {
    checkSpeed(speed);
    this.rebase(this.now());
    this.currentSpeed = speed;
    this.emit();
  }

  /**
   * Moves virtual time forward by whole ms; timers due in between fire in order (the scheduler
   * sees the jump). A move past LATEST_TIME is refused with a ClockRangeError, and nothing moves.
   */
  advance(ms: number | string): number {
    const delta = typeof ms === 'string' ? parseDuration(ms) : ms;
    this.rebase(advanceTarget(this.now(), delta, ms));
    this.emit();
    return this.now();
  }

  /** jumps to an absolute time; going backwards is refused (timers and UIDs assume monotonic time), and so is leaving the range */
  set(at: number): void {
    checkTime(at, 'the clock time');
    const now = this.now();
    if (at < now) throw new ClockRangeError(`the clock cannot go backwards (from ${now} to ${at})`, { min: now, max: LATEST_TIME });
    this.rebase(at);
    this.emit();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private rebase(virtual: number): void {
    this.anchorVirtual = virtual;
    this.anchorReal = this.realNow();
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

function checkSpeed(speed: number): number {
  if (!(speed >= 0) || !Number.isFinite(speed)) throw new ClockRangeError(`clock speed must be a finite number >= 0, got ${speed}`);
  return speed;
}

const UNITS: Record<string, bigint> = { ms: 1n, s: 1000n, m: 60_000n, min: 60_000n, h: 3_600_000n, d: 86_400_000n };

/** parses '90s', '12h', '1h30m', '1500ms', '2d' into milliseconds */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // spaces may separate the terms ('1h 30m'), as the API's duration format allows
  const re = /(\d+)(?:\.(\d+))?\s*(ms|min|s|m|h|d)\s*/gy;
  const terms = [...trimmed.matchAll(re)];
  const consumed = terms.reduce((sum, match) => sum + match[0].length, 0);
  if (consumed === 0 || consumed !== trimmed.length) {
    throw new RangeError(`not a duration: "${text}" (use e.g. 90s, 12h, 1h30m, 2d)`);
  }
  // In exact decimal arithmetic: in floating point 1.1h is 3960000.0000000005 ms, and the clock
  // moves in whole milliseconds only.
  const places = Math.max(0, ...terms.map((match) => (match[2] ?? '').length));
  let scaled = 0n;
  for (const [, whole, fraction = '', unit] of terms) scaled += BigInt(whole + fraction.padEnd(places, '0')) * UNITS[unit];
  const digits = scaled.toString().padStart(places + 1, '0');
  return Number(places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`);
}
