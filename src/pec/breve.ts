// The original as a `breve` delivery receipt carries it (pec-rules §2, testbed choice [C]): every
// attachment part is replaced by a text/plain part named `<original name>.hash` holding the
// lowercase hex hash (dialect: sha256 / sha1) of the decoded attachment. Every other byte of the
// original stays as it was: parts are spliced at their exact offsets, nothing is re-serialised.

import { createHash } from 'node:crypto';
import MimeNode from 'nodemailer/lib/mime-node';
import { fileNameOf, mimeTree, walk, decodeTransfer, type Entity } from './mime-split.js';
import type { Dialect } from './types.js';

/** An attachment: a leaf part (message/rfc822 included, not opened) with disposition attachment or a file name. */
function isAttachment(entity: Entity): boolean {
  if (entity.contentType.mediaType.startsWith('multipart/')) return false;
  return entity.disposition.type === 'attachment' || fileNameOf(entity) !== undefined;
}

function hashPart(name: string, hex: string, eol: string): Buffer {
  // a throwaway parent: MimeNode encodes the (possibly non-ASCII) file name in name= and filename*=
  const parent = new MimeNode('multipart/mixed', { baseBoundary: 'breve' });
  const node = parent.createChild('text/plain; charset=us-ascii', { filename: `${name}.hash`, baseBoundary: 'breve' });
  node.setHeader('Content-Transfer-Encoding', '7bit');
  node.setContent(hex);
  const headers = node.buildHeaders().replace(/\r\n/g, eol);
  return Buffer.from(`${headers}${eol}${eol}${hex}`, 'latin1');
}

export interface BreveAttachment {
  /** IMAP-style part path in the original, e.g. `2` or `1.3` */
  path: string;
  name: string;
  hash: string;
}

/**
 * The breve form of `original`: attachments replaced by their hashes. A message that is a single
 * non-multipart body is returned unchanged (its body is the text, not an attachment).
 */
export function breveOriginal(original: Buffer, algorithm: Dialect['breveHash']): { message: Buffer; attachments: BreveAttachment[] } {
  const problems: string[] = [];
  const tree = mimeTree(original, problems);
  const eol = original.includes('\r\n') ? '\r\n' : '\n';
  const replacements: Array<{ start: number; end: number; bytes: Buffer }> = [];
  const attachments: BreveAttachment[] = [];
  for (const node of walk(tree)) {
    if (node === tree || !isAttachment(node.entity)) continue;
    const raw = node.entity.raw;
    // mime-split hands out slices of the input: their offset locates the part in the original
    if (raw.buffer !== original.buffer) throw new Error('breve: MIME parts are not slices of the original');
    const start = raw.byteOffset - original.byteOffset;
    const name = fileNameOf(node.entity) ?? `allegato-${node.path}`;
    const hash = createHash(algorithm).update(decodeTransfer(node.entity.body, node.entity.transferEncoding)).digest('hex');
    replacements.push({ start, end: start + raw.length, bytes: hashPart(name, hash, eol) });
    attachments.push({ path: node.path, name, hash });
  }
  replacements.sort((a, b) => a.start - b.start);
  const pieces: Buffer[] = [];
  let pos = 0;
  for (const r of replacements) {
    pieces.push(original.subarray(pos, r.start), r.bytes);
    pos = r.end;
  }
  pieces.push(original.subarray(pos));
  return { message: Buffer.concat(pieces), attachments };
}
