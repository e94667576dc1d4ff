// The only source of time in the testbed. Every Date header, daticert `data`, identificativo,
// timer, log line and IMAP INTERNALDATE reads `now()` from one Clock object, so a virtual clock
// can make 24 hours pass in a second and a fixed start can make output reproducible.

export interface Clock {
  /** current (possibly virtual) time, ms since the epoch */
  now(): number;
  /** real milliseconds until virtual time reaches `at` (Infinity when the clock is paused) */
  realDelayUntil(at: number): number;
  /** called after the clock jumps (advance, set) or changes speed, so waiters can re-plan */
  onChange(listener: () => void): () => void;
}

export interface VirtualClockOptions {
  /** virtual time at creation, ms since the epoch; default: real now */
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
    this.anchorVirtual = options.start ?? this.anchorReal;
    this.currentSpeed = options.speed ?? 1;
    if (!(this.currentSpeed >= 0) || !Number.isFinite(this.currentSpeed)) {
      throw new RangeError(`clock speed must be a finite number >= 0, got ${options.speed}`);
    }
  }

  now(): number {
    return Math.floor(this.anchorVirtual + (this.realNow() - this.anchorReal) * this.currentSpeed);
  }

  get speed(): number {
    return this.currentSpeed;
  }

  realDelayUntil(at: number): number {
    const remaining = at - this.now();
    if (remaining <= 0) return 0;
    if (this.currentSpeed === 0) return Infinity;
    return Math.ceil(remaining / this.currentSpeed);
  }

  setSpeed(speed: number): void {
    if (!(speed >= 0) || !Number.isFinite(speed)) throw new RangeError(`clock speed must be a finite number >= 0, got ${speed}`);
    this.rebase(this.now());
    this.currentSpeed = speed;
    this.emit();
  }

  /** moves virtual time forward; timers due in between fire in order (the scheduler sees the jump) */
  advance(ms: number | string): number {
    const delta = typeof ms === 'string' ? parseDuration(ms) : ms;
    if (!(delta >= 0) || !Number.isFinite(delta)) throw new RangeError(`cannot advance the clock by ${ms}`);
    this.rebase(this.now() + delta);
    this.emit();
    return this.now();
  }

  /** jumps to an absolute time; going backwards is refused (timers and UIDs assume monotonic time) */
  set(at: number): void {
    if (at < this.now()) throw new RangeError('the clock cannot go backwards');
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

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** parses '90s', '12h', '1h30m', '1500ms', '2d' into milliseconds */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const re = /(\d+(?:\.\d+)?)\s*(ms|min|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(re)) {
    total += Number(match[1]) * UNITS[match[2]];
    consumed += match[0].length;
  }
  if (consumed === 0 || consumed !== trimmed.replace(/\s+$/, '').length) {
    throw new RangeError(`not a duration: "${text}" (use e.g. 90s, 12h, 1h30m, 2d)`);
  }
  return total;
}
