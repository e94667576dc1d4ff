// Writes MIME entities (RFC 2045, 2046) in one synchronous pass, CRLF lines: the leaf and multipart
// parts the builder lays out. nodemailer's MimeNode streams each node through pipelines and timers
// (~0.3 ms for a receipt of a few KB, four times per flow); these entities are small and already in
// memory, so they are written here with nodemailer's own encoders and header folding, in the layout
// MimeNode writes (the same bytes: a seeded build did not change when this replaced it).

import { foldLines } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';

const CRLF = '\r\n';

/** base64 in lines of 76 characters joined by CRLF, without a line break after the last one */
export function base64Lines(bytes: Buffer): string {
  const b64 = bytes.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join(CRLF);
}

export type TransferEncoding = 'base64' | 'quoted-printable' | '8bit';

function headerLine(name: string, value: string): string {
  return foldLines(`${name}: ${value}`, 76) + CRLF;
}

/** A single-part entity: Content-Type and Content-Transfer-Encoding, then the encoded body. */
export function leafEntity(contentType: string, encoding: TransferEncoding, body: Buffer): Buffer {
  const head = headerLine('Content-Type', contentType) + headerLine('Content-Transfer-Encoding', encoding) + CRLF;
  if (encoding === '8bit') return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  const encoded = encoding === 'base64' ? base64Lines(body) : qpWrap(qpEncode(body), 76);
  return Buffer.from(head + encoded, 'latin1');
}

/**
 * A multipart entity around `parts` (complete entities, written verbatim). The CRLF before each
 * delimiter belongs to the delimiter (RFC 2046 §5.1.1); the first one follows the blank line.
 */
export function multipartEntity(contentType: string, boundary: string, parts: readonly Buffer[]): Buffer {
  const chunks: Buffer[] = [Buffer.from(`${headerLine('Content-Type', `${contentType}; boundary="${boundary}"`)}${CRLF}`, 'latin1')];
  parts.forEach((part, i) => {
    chunks.push(Buffer.from(`${i > 0 ? CRLF : ''}--${boundary}${CRLF}`, 'latin1'), part);
  });
  chunks.push(Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'latin1'));
  return Buffer.concat(chunks);
}

/** offset of the first LF at or after `from` that no CR precedes; -1 when every line ends CRLF */
export function bareLfAt(bytes: Buffer, from = 0): number {
  for (let i = bytes.indexOf(0x0a, from); i >= 0; i = bytes.indexOf(0x0a, i + 1)) {
    if (i === 0 || bytes[i - 1] !== 0x0d) return i;
  }
  return -1;
}

/** Every LF not preceded by CR becomes CRLF (S/MIME signs canonical CRLF text); other bytes stay. */
export function withCrlf(bytes: Buffer): Buffer {
  let bare = bareLfAt(bytes);
  if (bare < 0) return bytes;
  const out: Buffer[] = [];
  let from = 0;
  for (; bare >= 0; bare = bareLfAt(bytes, bare + 1)) {
    out.push(bytes.subarray(from, bare), Buffer.from(CRLF, 'latin1'));
    from = bare + 1;
  }
  out.push(bytes.subarray(from));
  return Buffer.concat(out);
}
