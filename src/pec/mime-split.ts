// Byte-exact MIME reading: where a header section ends, where each body part of a multipart
// begins and ends, and how a transfer encoding decodes. Signatures cover exact bytes, so this
// module never re-serialises: every part is a slice of the input. Following RFC 2046 §5.1.1, the
// line break before `--boundary` belongs to the delimiter, not to the part before it.

import { parseContentType, parseDisposition, parseHeaderSection, type ContentType, type Disposition, type HeaderMap } from './mime-headers.js';

export type LineEndings = 'crlf' | 'lf' | 'mixed' | 'none';

export interface Entity {
  /** the whole entity as given */
  raw: Buffer;
  /** header section bytes, without the blank line */
  headerBytes: Buffer;
  /** body bytes after the blank line */
  body: Buffer;
  headers: HeaderMap;
  contentType: ContentType;
  disposition: Disposition;
  /** lowercase Content-Transfer-Encoding, '7bit' when absent */
  transferEncoding: string;
  /** true when no blank line ends the header section (the whole input was taken as headers) */
  headerOnly: boolean;
}

export function lineEndings(raw: Buffer): LineEndings {
  let crlf = 0;
  let lf = 0;
  for (let i = raw.indexOf(0x0a); i >= 0; i = raw.indexOf(0x0a, i + 1)) {
    if (i > 0 && raw[i - 1] === 0x0d) crlf++;
    else lf++;
  }
  if (crlf === 0 && lf === 0) return 'none';
  if (lf === 0) return 'crlf';
  if (crlf === 0) return 'lf';
  return 'mixed';
}

/** Every bare LF (and bare CR) becomes CRLF: the canonical form S/MIME signs (RFC 5751 §3.1.1). */
export function toCrlf(raw: Buffer): Buffer {
  let extra = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x0a && (i === 0 || raw[i - 1] !== 0x0d)) extra++;
    else if (raw[i] === 0x0d && raw[i + 1] !== 0x0a) extra++;
  }
  if (extra === 0) return raw;
  const out = Buffer.allocUnsafe(raw.length + extra);
  let o = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i];
    if (b === 0x0a && (i === 0 || raw[i - 1] !== 0x0d)) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
    } else if (b === 0x0d && raw[i + 1] !== 0x0a) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
    } else out[o++] = b;
  }
  return out;
}

/** Offset of the blank line that ends the header section and the offset where the body starts. */
function findHeaderEnd(raw: Buffer): { headerEnd: number; bodyStart: number } | null {
  // an entity may start directly with the blank line (no headers at all)
  if (raw[0] === 0x0a) return { headerEnd: 0, bodyStart: 1 };
  if (raw[0] === 0x0d && raw[1] === 0x0a) return { headerEnd: 0, bodyStart: 2 };
  for (let i = raw.indexOf(0x0a); i >= 0; i = raw.indexOf(0x0a, i + 1)) {
    if (raw[i + 1] === 0x0a) return { headerEnd: i + 1, bodyStart: i + 2 };
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return { headerEnd: i + 1, bodyStart: i + 3 };
  }
  return null;
}

/** The header fields of a message alone, for readers that never look at its body. */
export function readHeaders(raw: Buffer): HeaderMap {
  const end = findHeaderEnd(raw);
  return parseHeaderSection(end ? raw.subarray(0, end.headerEnd) : raw);
}

export function splitEntity(raw: Buffer, problems?: string[]): Entity {
  const end = findHeaderEnd(raw);
  const headerBytes = end ? raw.subarray(0, end.headerEnd) : raw;
  const body = end ? raw.subarray(end.bodyStart) : Buffer.alloc(0);
  const headers = parseHeaderSection(headerBytes, problems);
  return {
    raw,
    headerBytes,
    body,
    headers,
    contentType: parseContentType(headers.get('content-type')),
    disposition: parseDisposition(headers.get('content-disposition')),
    transferEncoding: (headers.get('content-transfer-encoding') ?? '7bit').trim().toLowerCase(),
    headerOnly: end === null,
  };
}

export interface MultipartSplit {
  preamble: Buffer;
  /** each body part's exact bytes: from after its delimiter line to before the line break of the next delimiter */
  parts: Buffer[];
  /** whether the close delimiter `--boundary--` was found */
  closed: boolean;
  epilogue: Buffer;
}

/**
 * Splits a multipart body on its boundary without touching the bytes. Tolerates LF-only line
 * ends and transport padding (whitespace after the boundary).
 */
export function splitMultipart(body: Buffer, boundary: string): MultipartSplit {
  const marker = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Buffer[] = [];
  let preamble: Buffer = Buffer.alloc(0);
  let partStart = -1;
  let closed = false;
  let epilogue: Buffer = Buffer.alloc(0);
  // Jump from one occurrence of the marker to the next; only one at the start of a line counts.
  let from = 0;
  for (let lineStart = body.indexOf(marker, from); lineStart >= 0; lineStart = body.indexOf(marker, from)) {
    if (lineStart > 0 && body[lineStart - 1] !== 0x0a) {
      from = lineStart + 1;
      continue;
    }
    const nl = body.indexOf(0x0a, lineStart + marker.length);
    const lineEnd = nl < 0 ? body.length : nl + 1;
    const rest = body.subarray(lineStart + marker.length, lineEnd).toString('latin1');
    const isClose = rest.startsWith('--') && /^--[ \t]*\r?\n?$/.test(rest);
    const isDelimiter = /^[ \t]*\r?\n?$/.test(rest);
    if (isClose || isDelimiter) {
      // the line break before the delimiter belongs to it
      let contentEnd = lineStart;
      if (contentEnd > 0 && body[contentEnd - 1] === 0x0a) contentEnd--;
      if (contentEnd > 0 && body[contentEnd - 1] === 0x0d && lineStart - contentEnd === 1) contentEnd--;
      if (partStart < 0) preamble = body.subarray(0, Math.max(0, contentEnd));
      else parts.push(body.subarray(partStart, Math.max(partStart, contentEnd)));
      if (isClose) {
        closed = true;
        epilogue = body.subarray(lineEnd);
        break;
      }
      partStart = lineEnd;
    }
    if (nl < 0) break;
    from = lineEnd;
  }
  // an unterminated last part (truncated file) still counts: tolerant, reported by `closed`
  if (!closed && partStart >= 0 && partStart <= body.length) parts.push(body.subarray(partStart));
  return { preamble, parts, closed, epilogue };
}

const isBlank = (byte: number): boolean => byte === 0x20 || byte === 0x09;

function hexDigit(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** A copy of `body` without the blanks that end its lines (RFC 2045 §6.7 rule 3: transport padding). */
function withoutLineEndBlanks(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length);
  let written = 0;
  let from = 0;
  for (let lf = body.indexOf(0x0a); lf >= 0; lf = body.indexOf(0x0a, lf + 1)) {
    const lineEnd = lf > 0 && body[lf - 1] === 0x0d ? lf - 1 : lf;
    let blanks = lineEnd;
    while (blanks > from && isBlank(body[blanks - 1])) blanks--;
    if (blanks === lineEnd) continue;
    written += body.copy(out, written, from, blanks);
    from = lineEnd;
  }
  written += body.copy(out, written, from);
  return out.subarray(0, written);
}

// Native copies between the `=` signs rather than a string and an array of numbers: a flow
// decodes its text part several times (submission, busta, receipts carrying the original).
function decodeQuotedPrintable(body: Buffer): Buffer {
  const text = withoutLineEndBlanks(body);
  const n = text.length;
  // in place: it never writes ahead of where it reads
  let out = 0;
  let from = 0;
  for (let eq = text.indexOf(0x3d); eq >= 0; eq = text.indexOf(0x3d, from)) {
    out += text.copy(text, out, from, eq);
    const high = eq + 2 < n ? hexDigit(text[eq + 1]) : -1;
    const low = high >= 0 ? hexDigit(text[eq + 2]) : -1;
    if (low >= 0) {
      text[out++] = high * 16 + low;
      from = eq + 3;
    } else if (eq + 2 < n && text[eq + 1] === 0x0d && text[eq + 2] === 0x0a) {
      from = eq + 3; // soft line break
    } else if (eq + 1 < n && text[eq + 1] === 0x0a) {
      from = eq + 2;
    } else {
      text[out++] = 0x3d;
      from = eq + 1;
    }
  }
  out += text.copy(text, out, from);
  return text.subarray(0, out);
}

/** Decodes a body by its Content-Transfer-Encoding; unknown encodings pass through unchanged. */
export function decodeTransfer(body: Buffer, encoding: string): Buffer {
  switch (encoding.toLowerCase()) {
    case 'base64':
      return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return body;
  }
}

/** Text of a decoded text part in its declared charset (Latin-1 when the label is unknown). */
export function decodeText(bytes: Buffer, charset: string | undefined): string {
  const label = (charset ?? 'us-ascii').toLowerCase();
  try {
    return new TextDecoder(label === 'us-ascii' ? 'utf-8' : label).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** A node of the MIME tree with byte-exact slices, walked lazily by the parser. */
export interface MimeNode {
  entity: Entity;
  /** children of a multipart, in order */
  children: MimeNode[];
  /** for multiparts: whether the close delimiter was found */
  closed?: boolean;
  /** path like `1.2` (IMAP part numbering), '' for the root */
  path: string;
}

/** Builds the MIME tree of an entity; message/rfc822 parts are leaves (the caller recurses on purpose). */
export function mimeTree(raw: Buffer, problems: string[], path = '', depth = 0): MimeNode {
  const entity = splitEntity(raw, path === '' ? problems : undefined);
  const node: MimeNode = { entity, children: [], path };
  if (!entity.contentType.mediaType.startsWith('multipart/')) return node;
  const boundary = entity.contentType.params.boundary;
  if (!boundary) {
    problems.push(`${path || 'message'}: ${entity.contentType.mediaType} without a boundary parameter`);
    return node;
  }
  if (depth > 20) {
    problems.push(`${path || 'message'}: multipart nesting deeper than 20 levels, not followed`);
    return node;
  }
  const split = splitMultipart(entity.body, boundary);
  node.closed = split.closed;
  if (split.parts.length === 0) problems.push(`${path || 'message'}: ${entity.contentType.mediaType} has no body parts (boundary "${boundary}" not found)`);
  else if (!split.closed) problems.push(`${path || 'message'}: ${entity.contentType.mediaType} is not closed (--${boundary}-- missing; truncated?)`);
  split.parts.forEach((part, i) => {
    node.children.push(mimeTree(part, problems, path ? `${path}.${i + 1}` : String(i + 1), depth + 1));
  });
  return node;
}

export function* walk(node: MimeNode): Generator<MimeNode> {
  yield node;
  for (const child of node.children) yield* walk(child);
}

/** File name of a part: Content-Disposition filename, else Content-Type name. */
export function fileNameOf(entity: Entity): string | undefined {
  return entity.disposition.params.filename ?? entity.contentType.params.name;
}
