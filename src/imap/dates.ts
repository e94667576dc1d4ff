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
    `${day < 10 ? ' ' : ''}${day}-${MONTHS[d.getMonth()]}-${d.getFullYear()} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

function monthIndex(name: string): number {
  return MONTHS.findIndex((m) => m.toLowerCase() === name.toLowerCase());
}

/** APPEND date-time → ms, or null when malformed */
export function parseDateTime(text: string): number | null {
  const m = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const month = monthIndex(m[2]);
  if (month < 0) return null;
  const [day, year, h, min, s] = [m[1], m[3], m[4], m[5], m[6]].map(Number);
  if (day < 1 || day > 31 || h > 23 || min > 59 || s > 60) return null;
  const offset = (Number(m[8]) * 60 + Number(m[9])) * (m[7] === '-' ? -1 : 1);
  return Date.UTC(year, month, day, h, min, s) - offset * 60_000;
}

/** SEARCH date `1-Feb-1994` → yyyymmdd, or null */
export function parseSearchDate(text: string): number | null {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  if (!m) return null;
  const month = monthIndex(m[2]);
  if (month < 0) return null;
  return Number(m[3]) * 10000 + (month + 1) * 100 + Number(m[1]);
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
  return year * 10000 + (month + 1) * 100 + Number(m[1]);
}
