// The MIME tree of a stored message as byte ranges over the raw bytes, never re-serialised:
// BODY[1.2] must return exactly the bytes a signature was computed over (PEC receipts nest
// postacert.eml inside multipart/signed). Also resolves IMAP section numbers (RFC 3501 §6.4.5).

import { headerValue, param, parseParams, readHeaderBlock, type HeaderField } from './header.js';

export interface MimeEntity {
  /** first byte of this entity's MIME header */
  headerStart: number;
  /** just past the blank line ending the header = bodyStart */
  headerEnd: number;
  bodyStart: number;
  bodyEnd: number;
  fields: HeaderField[];
  /** lower-case media type and subtype */
  type: string;
  subtype: string;
  /** Content-Type parameters as written (names lower-cased) */
  params: Array<[string, string]>;
  /** lower-case Content-Transfer-Encoding, '7bit' when absent */
  encoding: string;
  /** multipart children */
  children: MimeEntity[];
  /** for message/rfc822: the encapsulated message (its header starts at bodyStart) */
  message: MimeEntity | null;
}

const MAX_DEPTH = 32;
const MAX_PARTS = 2000;

export function parseMessage(raw: Buffer): MimeEntity {
  const budget = { parts: 0 };
  return parseEntity(raw, 0, raw.length, 0, 'text/plain', budget);
}

function parseEntity(
  buf: Buffer,
  start: number,
  end: number,
  depth: number,
  defaultType: string,
  budget: { parts: number },
): MimeEntity {
  budget.parts++;
  const header = readHeaderBlock(buf, start, end);
  const ct = headerValue(header.fields, 'content-type');
  const parsed = ct ? parseParams(ct) : null;
  let [type, subtype] = (parsed?.value ?? '').split('/').map((s) => s.trim());
  let params = parsed?.params ?? [];
  if (!type || !subtype) {
    [type, subtype] = defaultType.split('/');
    params = type === 'text' ? [['charset', 'us-ascii']] : [];
    if (parsed?.params.length) params = parsed.params;
  }
  const encoding = (headerValue(header.fields, 'content-transfer-encoding') ?? '7bit').trim().toLowerCase() || '7bit';
  const entity: MimeEntity = {
    headerStart: start,
    headerEnd: header.end,
    bodyStart: header.end,
    bodyEnd: end,
    fields: header.fields,
    type,
    subtype,
    params,
    encoding,
    children: [],
    message: null,
  };
  if (depth >= MAX_DEPTH || budget.parts >= MAX_PARTS) return entity;
  if (type === 'multipart') {
    const boundary = param(params, 'boundary');
    if (boundary) {
      const childDefault = subtype === 'digest' ? 'message/rfc822' : 'text/plain';
      for (const [s, e] of splitMultipart(buf, entity.bodyStart, end, boundary)) {
        entity.children.push(parseEntity(buf, s, e, depth + 1, childDefault, budget));
        if (budget.parts >= MAX_PARTS) break;
      }
    }
  } else if (isEncapsulated(entity)) {
    entity.message = parseEntity(buf, entity.bodyStart, end, depth + 1, 'text/plain', budget);
  }
  return entity;
}

/** message/rfc822 with an identity encoding is a nested message; base64-wrapped ones are opaque */
export function isEncapsulated(entity: MimeEntity): boolean {
  return (
    entity.type === 'message' &&
    entity.subtype === 'rfc822' &&
    ['7bit', '8bit', 'binary'].includes(entity.encoding)
  );
}

/**
 * Byte ranges of the body parts between boundary delimiters. The line break before a delimiter
 * belongs to the delimiter (RFC 2046 §5.1.1), so a part ends before it.
 */
export function splitMultipart(buf: Buffer, start: number, end: number, boundary: string): Array<[number, number]> {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Array<[number, number]> = [];
  let partStart = -1;
  let search = start;
  while (search < end) {
    const at = buf.indexOf(delimiter, search);
    if (at === -1 || at + delimiter.length > end) break;
    search = at + delimiter.length;
    if (at !== start && buf[at - 1] !== 0x0a) continue;
    let p = at + delimiter.length;
    const isClose = buf[p] === 0x2d && buf[p + 1] === 0x2d && p + 1 < end;
    if (isClose) p += 2;
    // transport padding up to the line break; anything else means this was not a delimiter
    while (p < end && (buf[p] === 0x20 || buf[p] === 0x09)) p++;
    let lineEnd: number;
    if (p >= end) lineEnd = end;
    else if (buf[p] === 0x0a) lineEnd = p + 1;
    else if (buf[p] === 0x0d && buf[p + 1] === 0x0a) lineEnd = p + 2;
    else if (isClose) lineEnd = p; // epilogue text on the close line: still a close delimiter
    else continue;
    if (partStart !== -1) {
      let partEnd = at;
      if (partEnd > partStart && buf[partEnd - 1] === 0x0a) partEnd--;
      if (partEnd > partStart && buf[partEnd - 1] === 0x0d) partEnd--;
      parts.push([partStart, Math.max(partStart, partEnd)]);
    }
    if (isClose) return parts;
    partStart = lineEnd;
    search = lineEnd;
  }
  if (partStart !== -1 && partStart <= end) parts.push([partStart, end]);
  return parts;
}

export type SectionTarget =
  | { kind: 'whole'; entity: MimeEntity } // BODY[] / BODY[n] of a message
  | { kind: 'body'; entity: MimeEntity } // BODY[n]: the part's body
  | { kind: 'header'; entity: MimeEntity } // n.HEADER / HEADER.FIELDS: the message's header
  | { kind: 'text'; entity: MimeEntity } // n.TEXT: the message's body
  | { kind: 'mime'; entity: MimeEntity }; // n.MIME: the part's own MIME header

/**
 * Resolves a section path. `root` is the whole message; numbers descend into multipart children
 * or, for a message/rfc822 part, into its encapsulated message. Returns null for parts that do not
 * exist or specifiers that make no sense there (HEADER of a non-message part).
 */
export function resolveSection(
  root: MimeEntity,
  path: number[],
  specifier: '' | 'HEADER' | 'TEXT' | 'MIME',
): SectionTarget | null {
  if (path.length === 0) {
    if (specifier === 'MIME') return null;
    if (specifier === 'HEADER') return { kind: 'header', entity: root };
    if (specifier === 'TEXT') return { kind: 'text', entity: root };
    return { kind: 'whole', entity: root };
  }
  let node = root;
  let isMessage = true;
  for (const n of path) {
    const candidates = isMessage ? messageParts(node) : containerParts(node);
    const next = candidates[n - 1];
    if (!next) return null;
    node = next;
    isMessage = false;
  }
  if (specifier === '') return { kind: 'body', entity: node };
  if (specifier === 'MIME') return { kind: 'mime', entity: node };
  // HEADER and TEXT address the message inside a message/rfc822 part
  if (!node.message) return null;
  return specifier === 'HEADER' ? { kind: 'header', entity: node.message } : { kind: 'text', entity: node.message };
}

/** the numbered parts of a message: its children when multipart, else the body itself as part 1 */
function messageParts(message: MimeEntity): MimeEntity[] {
  return message.type === 'multipart' ? message.children : [message];
}

function containerParts(part: MimeEntity): MimeEntity[] {
  if (part.type === 'multipart') return part.children;
  if (part.message) return messageParts(part.message);
  return [];
}

/** byte range a section target designates */
export function sectionRange(target: SectionTarget): [number, number] {
  const e = target.entity;
  switch (target.kind) {
    case 'whole':
      return [e.headerStart, e.bodyEnd];
    case 'body':
    case 'text':
      return [e.bodyStart, e.bodyEnd];
    case 'header':
    case 'mime':
      return [e.headerStart, e.headerEnd];
  }
}

/** leaf entities in document order (including those of nested messages), for text search */
export function leaves(entity: MimeEntity, out: MimeEntity[] = []): MimeEntity[] {
  if (entity.type === 'multipart') for (const child of entity.children) leaves(child, out);
  else if (entity.message) leaves(entity.message, out);
  else out.push(entity);
  return out;
}
