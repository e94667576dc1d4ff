// Reading RFC 5322 / MIME header sections as stored on disk: unfolding, case-insensitive lookup,
// RFC 2047 encoded-words, Content-Type parameters (RFC 2231 too) and address lists. Tolerant by
// design: real PEC traffic mixes header casing, raw 8-bit values and odd quoting, and a verifier
// must still say what it sees instead of failing.

export interface HeaderField {
  /** name as written on the wire */
  name: string;
  /** unfolded value, leading whitespace removed, not RFC 2047-decoded */
  value: string;
}

/** Header fields in wire order with case-insensitive lookup. */
export class HeaderMap {
  // Lower-case name -> positions in `fields`, built on the first lookup: classifying a message
  // asks for a dozen fields, and lower-casing every name at every lookup made a visible share of
  // the main thread's garbage. A private field: structured clones and equality checks see only
  // the fields.
  #index: Map<string, number[]> | undefined;

  constructor(readonly fields: HeaderField[]) {}

  private positions(name: string): number[] | undefined {
    if (!this.#index) {
      const index = new Map<string, number[]>();
      this.fields.forEach((field, i) => {
        const key = field.name.toLowerCase();
        const known = index.get(key);
        if (known) known.push(i);
        else index.set(key, [i]);
      });
      this.#index = index;
    }
    return this.#index.get(name.toLowerCase());
  }

  /** first value of the named field (case-insensitive), undefined when absent */
  get(name: string): string | undefined {
    const at = this.positions(name);
    return at ? this.fields[at[0]].value : undefined;
  }

  getAll(name: string): string[] {
    return (this.positions(name) ?? []).map((i) => this.fields[i].value);
  }

  has(name: string): boolean {
    return this.positions(name) !== undefined;
  }

  /** the spelling used on the wire for a field, e.g. `X-Tiporicevuta` */
  spelling(name: string): string | undefined {
    const at = this.positions(name);
    return at ? this.fields[at[0]].name : undefined;
  }

  toJSON(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const { name, value } of this.fields) {
      const prior = out[name];
      if (prior === undefined) out[name] = value;
      else out[name] = Array.isArray(prior) ? [...prior, value] : [prior, value];
    }
    return out;
  }
}

/** Bytes of a header section to text: UTF-8 when it is valid (RFC 6532), Latin-1 otherwise. */
export function headerText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** Parses a header section (without the blank line). Lines that are neither fields nor continuations are reported. */
export function parseHeaderSection(bytes: Buffer, problems?: string[]): HeaderMap {
  const fields: HeaderField[] = [];
  const lines = headerText(bytes).split(/\r?\n/);
  for (const line of lines) {
    if (line === '' || line === '\r') continue;
    if (/^[ \t]/.test(line)) {
      const last = fields[fields.length - 1];
      if (last) last.value += line.replace(/\r$/, '');
      else problems?.push('header section starts with a continuation line');
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!/^[!-9;-~]+$/.test(name)) {
      problems?.push(`not a header field: ${JSON.stringify(line.slice(0, 60))}`);
      continue;
    }
    fields.push({ name, value: line.slice(colon + 1).replace(/\r$/, '').replace(/^[ \t]+/, '') });
  }
  for (const field of fields) field.value = field.value.replace(/[ \t]+$/, '');
  return new HeaderMap(fields);
}

function decodeCharset(bytes: Buffer, charset: string): string {
  const label = charset.toLowerCase().replace(/\*.*$/, ''); // RFC 2231 language suffix
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

function decodeQ(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '_') bytes.push(0x20);
    else if (c === '=' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(bytes);
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

/**
 * RFC 2047 decoding. Adjacent encoded-words of one charset are joined at the byte level before
 * decoding, because encoders split multi-byte characters across words.
 */
export function decodeWords(value: string): string {
  let out = '';
  let pending: { charset: string; bytes: Buffer[] } | null = null;
  let last = 0;
  const flush = () => {
    if (pending) out += decodeCharset(Buffer.concat(pending.bytes), pending.charset);
    pending = null;
  };
  for (const match of value.matchAll(ENCODED_WORD)) {
    const index = match.index ?? 0;
    const between = value.slice(last, index);
    const [, charset, encoding, text] = match;
    const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQ(text);
    const p = pending as { charset: string; bytes: Buffer[] } | null;
    // whitespace between two encoded-words is not part of the text (RFC 2047 §6.2)
    if (p && /^[ \t\r\n]*$/.test(between) && p.charset.toLowerCase() === charset.toLowerCase()) {
      p.bytes.push(bytes);
    } else {
      const joinsWords = pending !== null && /^[ \t\r\n]*$/.test(between);
      flush();
      if (!joinsWords) out += between;
      pending = { charset, bytes: [bytes] };
    }
    last = index + match[0].length;
  }
  flush();
  return out + value.slice(last);
}

export interface ContentType {
  /** lowercase `type/subtype`; `text/plain` when absent (RFC 2045 default) */
  mediaType: string;
  params: Record<string, string>;
}

// Slices, not a string grown a character at a time: every message parsed reads several
// Content-Type and Content-Disposition values.
/** Splits `a; b="c;d"; e=f` on semicolons that are outside quotes. */
function splitParams(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && quoted) i++; // the escaped character stays in the part as written
    else if (c === '"') quoted = !quoted;
    else if (c === ';' && !quoted) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out;
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/g, '$1');
  return v;
}

/** Parameters of a structured header (Content-Type, Content-Disposition), RFC 2231 continuations and charsets decoded, names lowercased. */
export function parseParams(parts: string[]): Record<string, string> {
  const plain: Record<string, string> = {};
  const continued: Record<string, Array<{ n: number; value: string; encoded: boolean }>> = {};
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const rawName = part.slice(0, eq).trim().toLowerCase();
    const value = unquote(part.slice(eq + 1));
    const m = /^([^*]+)(?:\*(\d+))?(\*)?$/.exec(rawName);
    if (!m) continue;
    const [, name, n, star] = m;
    if (n === undefined && !star) plain[name] = value;
    else (continued[name] ??= []).push({ n: n === undefined ? 0 : Number(n), value, encoded: Boolean(star) });
  }
  for (const [name, pieces] of Object.entries(continued)) {
    pieces.sort((a, b) => a.n - b.n);
    let charset = 'us-ascii';
    const bytes: Buffer[] = [];
    pieces.forEach((piece, i) => {
      let text = piece.value;
      if (piece.encoded && i === 0) {
        const m = /^([^']*)'[^']*'(.*)$/.exec(text);
        if (m) {
          charset = m[1] || charset;
          text = m[2];
        }
      }
      bytes.push(piece.encoded ? Buffer.from(text.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1') : Buffer.from(text, 'latin1'));
    });
    plain[name] = decodeCharset(Buffer.concat(bytes), charset);
  }
  for (const key of Object.keys(plain)) plain[key] = decodeWords(plain[key]);
  return plain;
}

export function parseContentType(value: string | undefined): ContentType {
  if (!value) return { mediaType: 'text/plain', params: {} };
  const [first, ...rest] = splitParams(value);
  const mediaType = first.toLowerCase().replace(/\s+/g, '') || 'text/plain';
  return { mediaType, params: parseParams(rest) };
}

export interface Disposition {
  /** lowercase `inline` / `attachment`, '' when absent */
  type: string;
  params: Record<string, string>;
}

export function parseDisposition(value: string | undefined): Disposition {
  if (!value) return { type: '', params: {} };
  const [first, ...rest] = splitParams(value);
  return { type: first.toLowerCase(), params: parseParams(rest) };
}

export interface Mailbox {
  /** display name, RFC 2047-decoded, '' when none */
  name: string;
  /** bare address as written (no angle brackets) */
  address: string;
}

/** Splits on commas that are outside quotes, comments and angle brackets. */
function splitAddressList(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  let comment = 0;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted && c === '\\') {
      current += c + (value[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"' && comment === 0) quoted = !quoted;
    else if (!quoted && c === '(') comment++;
    else if (!quoted && c === ')' && comment > 0) comment--;
    else if (!quoted && comment === 0 && c === '<') angle = true;
    else if (!quoted && comment === 0 && c === '>') angle = false;
    if (c === ',' && !quoted && comment === 0 && !angle) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

function stripComments(value: string): string {
  let out = '';
  let quoted = false;
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted && c === '\\') {
      out += c + (value[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"' && depth === 0) quoted = !quoted;
    if (!quoted && c === '(') depth++;
    if (depth === 0) out += c;
    if (!quoted && c === ')' && depth > 0) depth--;
  }
  return out;
}

/** One mailbox: `"Per conto di: a@b" <posta-certificata@c>` → the address inside the angle brackets. */
export function parseMailbox(value: string): Mailbox | null {
  const text = value.trim();
  // the last <...> outside quotes is the address; a display name may itself contain an address
  let quoted = false;
  let open = -1;
  let close = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && quoted) {
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') open = i;
    else if (!quoted && c === '>' && open >= 0) close = i;
  }
  if (open >= 0 && close > open) {
    const address = text.slice(open + 1, close).trim().replace(/^@[^:]*:/, ''); // drop obsolete source route
    const name = decodeWords(unquote(stripComments(text.slice(0, open)).trim()));
    return address ? { name, address } : null;
  }
  const address = stripComments(text).trim();
  if (!address) return null;
  return { name: '', address };
}

/** An address list header (To, Cc, From); groups are flattened. */
export function parseAddressList(value: string | undefined): Mailbox[] {
  if (!value) return [];
  const out: Mailbox[] = [];
  for (const item of splitAddressList(value)) {
    // group syntax `name: a, b;` — keep the members, drop the group's phrase and terminator
    const text = item.replace(/^[^"<@:]*:/, '').replace(/;\s*$/, '');
    const mailbox = parseMailbox(text);
    if (mailbox) out.push(mailbox);
  }
  return out;
}

/** A plausible addr-spec (local@domain), not a full RFC 5322 grammar. */
export function isAddress(value: string): boolean {
  return /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/.test(value);
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1).toLowerCase() : '';
}
