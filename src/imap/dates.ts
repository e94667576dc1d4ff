// IMAP date forms: INTERNALDATE (`"17-Jul-1996 02:44:25 -0700"`), APPEND date-time, SEARCH dates
// (`1-Feb-1994`), and the calendar day of an RFC 5322 Date header. Calendar days are compared as
// yyyymmdd numbers because SEARCH disregards time and timezone (RFC 3501 §6.4.4).

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** INTERNALDATE in the server's local timezone */
export function formatInternalDate(ms: number): string {
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  const day = d.getDate();
  return (
    `${day < 10 ? ' ' : ''}${day}-${MONTHS[d.getMonth()]}-${pad(d.getFullYear(), 4)} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

function monthIndex(name: string): number {
  return MONTHS.findIndex((m) => m.toLowerCase() === name.toLowerCase());
}

/** whether the day exists in that month (0-based) of that year: 29-Feb only in leap years */
function dayExists(year: number, month: number, day: number): boolean {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const length = month === 1 ? (leap ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month];
  return day >= 1 && day <= length;
}

/** APPEND date-time → ms, or null when malformed */
export function parseDateTime(text: string): number | null {
  const m = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const month = monthIndex(m[2]);
  if (month < 0) return null;
  const [day, year, h, min, s, zoneH, zoneMin] = [m[1], m[3], m[4], m[5], m[6], m[8], m[9]].map(Number);
  // Date.UTC would roll 31-Feb into March and 00:60 into the next hour without a word
  if (!dayExists(year, month, day) || h > 23 || min > 59 || s > 60 || zoneMin > 59) return null;
  const offset = (zoneH * 60 + zoneMin) * (m[7] === '-' ? -1 : 1);
  const date = new Date(Date.UTC(2000, month, day, h, min, s));
  // Date.UTC reads years 0-99 as 1900-1999; setting the year afterwards keeps 0099 as 0099
  date.setUTCFullYear(year, month, day);
  return date.getTime() - offset * 60_000;
}

/** SEARCH date `1-Feb-1994` → yyyymmdd, or null (also for a day the month does not have) */
export function parseSearchDate(text: string): number | null {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  if (!m) return null;
  const month = monthIndex(m[2]);
  const [day, year] = [Number(m[1]), Number(m[3])];
  if (month < 0 || !dayExists(year, month, day)) return null;
  return year * 10000 + (month + 1) * 100 + day;
}

/** calendar day of an instant in the server's local timezone, as yyyymmdd */
export function localDay(ms: number): number {
  const d = new Date(ms);
  return d.getFullYear() * 10000 + (d.getMonth() + 1) * 100 + d.getDate();
}

/** calendar day written in an RFC 5322 Date header (its own zone, as the RFC asks), or null */
export function headerDay(value: string): number | null {
  const m = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{2,4})/.exec(value);
  if (!m) return null;
  const month = monthIndex(m[2]);
  if (month < 0) return null;
  let year = Number(m[3]);
  if (m[3].length === 2) year += year < 50 ? 2000 : 1900;
  const day = Number(m[1]);
  // a Date header naming a day that does not exist has no sent date, like one that cannot be read
  if (!dayExists(year, month, day)) return null;
  return year * 10000 + (month + 1) * 100 + day;
}
