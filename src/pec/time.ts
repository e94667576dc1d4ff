// Italian local time as PEC writes it: the daticert `data` (giorno DD/MM/YYYY, ora HH:MM:SS, zona
// +0100 / +0200), the RFC 5322 Date header with the Italian offset (what real providers send) and
// the compact stamp inside identificativi. Europe/Rome rules come from Intl (the ICU tz database),
// so DST changes are exact; the time itself is always passed in, never read here.

import type { DaticertData } from './types.js';

export interface RomeTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** offset from UTC in minutes (60 in winter, 120 in summer) */
  offsetMinutes: number;
}

const romeFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Rome',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hourCycle: 'h23',
});

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

// Intl's formatToParts is slow next to everything else a receipt needs, and the receipts of one
// flow are written within the same second: remember the last second asked for.
let last: { whole: number; time: RomeTime } | undefined;

/** Wall-clock time in Rome at `at` (ms since the epoch; sub-second part dropped). */
export function romeTime(at: number): RomeTime {
  if (!Number.isFinite(at)) throw new RangeError(`not a time: ${at}`);
  const whole = Math.floor(at / 1000) * 1000;
  if (last?.whole !== whole) last = { whole, time: computeRomeTime(whole) };
  return { ...last.time };
}

function computeRomeTime(whole: number): RomeTime {
  const parts: Record<string, number> = {};
  for (const part of romeFormat.formatToParts(whole)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const { year, month, day, hour, minute, second } = parts;
  const localAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  return { year, month, day, hour, minute, second, offsetMinutes: Math.round((localAsUtc - whole) / 60_000) };
}

/** `+0100` / `+0200` */
export function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

/** daticert `data`: giorno, ora and zona of the event in Italian local time. */
export function daticertData(at: number): DaticertData {
  const t = romeTime(at);
  return {
    giorno: `${pad(t.day)}/${pad(t.month)}/${pad(t.year, 4)}`,
    ora: `${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`,
    zona: formatOffset(t.offsetMinutes),
  };
}

/** RFC 5322 date-time in Italian local time, e.g. `Sun, 29 Mar 2026 03:00:00 +0200`. */
export function rfc5322Date(at: number): string {
  const t = romeTime(at);
  const weekday = WEEKDAYS[new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay()];
  return `${weekday}, ${pad(t.day)} ${MONTHS[t.month - 1]} ${pad(t.year, 4)} ${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)} ${formatOffset(t.offsetMinutes)}`;
}

/** `YYYYMMDDhhmmss` in Italian local time, as inside Aruba / Sogei identificativi. */
export function compactStamp(at: number): string {
  const t = romeTime(at);
  return `${pad(t.year, 4)}${pad(t.month)}${pad(t.day)}${pad(t.hour)}${pad(t.minute)}${pad(t.second)}`;
}
