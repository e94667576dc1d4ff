// Byte-level framing of multi-line responses (RFC 1939 §3): dot-stuffing, the terminator, and
// the TOP cut. Pure functions over Buffers so that message bytes are never re-encoded.
//
// A line is whatever ends in LF. Stored mail is CRLF, but for a stray bare LF we still stuff a
// leading dot: a client splitting on LF (Python's poplib does) must never see a lone "." and
// stop reading mid-message. A CRLF-strict client would then see one extra dot on such a line,
// which is the lesser harm.

const CRLF = Buffer.from('\r\n');
const TERMINATOR = Buffer.from('.\r\n');
const DOT = 0x2e;
const LF = 0x0a;
const CR = 0x0d;

/** The bytes to send after a `+OK` line: the content dot-stuffed, CRLF-ended, then `.CRLF`. */
export function multiline(content: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  if (content.length > 0 && content[0] === DOT) {
    parts.push(Buffer.from('.'));
  }
  for (let lf = content.indexOf(LF); lf >= 0; lf = content.indexOf(LF, lf + 1)) {
    if (content[lf + 1] === DOT) {
      parts.push(content.subarray(from, lf + 1), Buffer.from('.'));
      from = lf + 1;
    }
  }
  parts.push(content.subarray(from));
  if (!endsWithCrlf(content)) parts.push(CRLF);
  parts.push(TERMINATOR);
  return Buffer.concat(parts);
}

/** Multi-line response from text lines (CAPA, LIST, UIDL), which never need stuffing. */
export function multilineText(lines: string[]): Buffer {
  return Buffer.from(lines.map((l) => `${l}\r\n`).join('') + '.\r\n', 'utf8');
}

/** TOP: the header section, the blank line that ends it, and the first `bodyLines` body lines,
 * all as stored. A message without a blank line is all header and is returned whole. */
export function topOf(raw: Buffer, bodyLines: number): Buffer {
  let pos = 0;
  let headerEnd = -1;
  while (pos < raw.length) {
    const lf = raw.indexOf(LF, pos);
    const lineEnd = lf < 0 ? raw.length : lf + 1;
    const isBlank = raw[pos] === LF || (raw[pos] === CR && raw[pos + 1] === LF);
    pos = lineEnd;
    if (isBlank) {
      headerEnd = pos;
      break;
    }
  }
  if (headerEnd < 0) return raw;
  let end = headerEnd;
  for (let n = 0; n < bodyLines && end < raw.length; n++) {
    const lf = raw.indexOf(LF, end);
    end = lf < 0 ? raw.length : lf + 1;
  }
  return raw.subarray(0, end);
}

function endsWithCrlf(b: Buffer): boolean {
  return b.length >= 2 && b[b.length - 2] === CR && b[b.length - 1] === LF;
}
