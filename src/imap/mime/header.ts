// Header sections as byte ranges: where a header block ends, where each field starts and ends
// (so HEADER.FIELDS can return the client the exact stored bytes), and the small value parsers
// IMAP needs (Content-Type-like parameters, RFC 2047 encoded-words). Tolerant of LF-only input
// because real mailboxes contain it.

export interface HeaderField {
  /** lower-case field name */
  key: string;
  /** byte offset of the field's first byte */
  start: number;
  /** byte offset just past the field's last line break (folded lines included) */
  end: number;
  /** unfolded raw value (bytes as latin1 characters), surrounding whitespace trimmed */
  value: string;
}

export interface HeaderBlock {
  /** fields in wire order */
  fields: HeaderField[];
  /** offset just past the blank line that ends the header (or the end of the entity) */
  end: number;
}

const LF = 0x0a;
const CR = 0x0d;

/** splits the header block that starts at `start`; the blank line belongs to the header */
export function readHeaderBlock(buf: Buffer, start: number, limit: number): HeaderBlock {
  const fields: HeaderField[] = [];
  let pos = start;
  let current: { key: string; start: number; valueStart: number } | null = null;
  const close = (end: number): void => {
    if (!current) return;
    const raw = buf.toString('latin1', current.valueStart, end);
    fields.push({ key: current.key, start: current.start, end, value: unfold(raw) });
    current = null;
  };
  while (pos < limit) {
    let nl = buf.indexOf(LF, pos);
    if (nl === -1 || nl >= limit) nl = limit - 1;
    const lineEnd = nl + 1;
    const contentEnd = buf[nl] === LF ? (nl > pos && buf[nl - 1] === CR ? nl - 1 : nl) : lineEnd;
    if (contentEnd === pos) {
      // the blank line: end of the header section
      close(pos);
      return { fields, end: lineEnd };
    }
    const first = buf[pos];
    if ((first === 0x20 || first === 0x09) && current) {
      pos = lineEnd;
      continue;
    }
    close(pos);
    const colon = buf.indexOf(0x3a, pos);
    if (colon !== -1 && colon < contentEnd) {
      const key = buf.toString('latin1', pos, colon).trim().toLowerCase();
      current = { key, start: pos, valueStart: colon + 1 };
    } else {
      // a line that is not a field: keep its bytes addressable but give it no name
      current = { key: '', start: pos, valueStart: pos };
    }
    pos = lineEnd;
  }
  close(limit);
  return { fields, end: limit };
}

function unfold(raw: string): string {
  return raw.replace(/\r?\n(?=[ \t])/g, '').replace(/\r?\n$/, '').trim();
}

export function headerValue(fields: HeaderField[], key: string): string | undefined {
  for (const field of fields) if (field.key === key) return field.value;
  return undefined;
}

/** bytes held as latin1 characters → text: UTF-8 when valid (RFC 6532), else latin1 */
function latin1ToText(value: string): string {
  if (!/[\x80-\xff]/.test(value)) return value;
  const bytes = Buffer.from(value, 'latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return value;
  }
}

export function decodeCharset(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset.trim().toLowerCase() || 'utf-8').decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** RFC 2047 encoded-words → text; whitespace between adjacent encoded-words disappears */
export function decodeWords(value: string): string {
  const text = latin1ToText(value);
  if (!text.includes('=?')) return text;
  const word = /=\?([^?*\s]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=/g;
  return text
    .replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)/g, '$1')
    .replace(word, (_all, charset: string, enc: string, data: string) => {
      const bytes = enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64')
        : Buffer.from(
            data.replace(/_/g, ' ').replace(/=([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            'latin1',
          );
      return decodeCharset(bytes, charset);
    });
}

export interface ParsedParams {
  /** the part before the first ';' (e.g. `text/plain`, `attachment`), lower-cased */
  value: string;
  /** parameters in order, names lower-cased, quoted values unquoted (RFC 2231 left as written) */
  params: Array<[string, string]>;
}

/** parses `value; a=b; c="d;e"` as in Content-Type and Content-Disposition */
export function parseParams(header: string): ParsedParams {
  const text = stripComments(header);
  let i = 0;
  const semi = findUnquoted(text, ';', 0);
  const value = text.slice(0, semi === -1 ? text.length : semi).trim().toLowerCase();
  const params: Array<[string, string]> = [];
  i = semi === -1 ? text.length : semi + 1;
  while (i < text.length) {
    const next = findUnquoted(text, ';', i);
    const piece = text.slice(i, next === -1 ? text.length : next);
    i = next === -1 ? text.length : next + 1;
    const eq = piece.indexOf('=');
    if (eq === -1) continue;
    const name = piece.slice(0, eq).trim().toLowerCase();
    let val = piece.slice(eq + 1).trim();
    if (val.startsWith('"')) {
      const end = findClosingQuote(val);
      val = val.slice(1, end).replace(/\\(.)/g, '$1');
    }
    if (name) params.push([name, val]);
  }
  return { value, params };
}

export function param(params: Array<[string, string]>, name: string): string | undefined {
  for (const [key, value] of params) if (key === name) return value;
  // RFC 2231 continuations, e.g. boundary*0 / boundary*1
  const pieces = params.filter(([key]) => key.startsWith(`${name}*`));
  if (pieces.length === 0) return undefined;
  return pieces.map(([, value]) => value).join('');
}

function findUnquoted(text: string, char: string, from: number): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === char) return i;
  }
  return -1;
}

function findClosingQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}

/** removes RFC 5322 comments outside quoted strings */
function stripComments(text: string): string {
  if (!text.includes('(')) return text;
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (depth === 0 && c === '"') quoted = !quoted;
    if (quoted) {
      out += c;
      if (c === '\\' && i + 1 < text.length) out += text[++i];
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (c === '\\' && depth > 0) i++;
    else if (depth === 0) out += c;
  }
  return out;
}
