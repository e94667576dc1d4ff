// S/MIME multipart/signed assembly (pec-rules §3, §4; RFC 5751): signs the exact bytes of the
// inner entity with a detached CMS (digest per dialect, signingTime = event time) and writes the
// signed message around those same bytes. The inner entity is copied, never re-serialised; the
// CRLF before each delimiter belongs to the delimiter (RFC 2046), so it is not signed.

import { signDetachedAsync } from '../pki/cms.js';
import { micalgParam } from './dialects.js';
import { bareLfAt, base64Lines } from './mime-entity.js';
import type { Dialect, Signer } from './types.js';

const CRLF = '\r\n';

export interface SignMimeOptions {
  signer: Signer;
  dialect: Dialect;
  /** signingTime, ms since the epoch */
  at: number;
  /** boundary of the multipart/signed; must not occur in the inner entity */
  boundary: string;
}

function assertCanonical(inner: Buffer): void {
  const bare = bareLfAt(inner);
  if (bare >= 0) throw new Error(`signMime: bare LF at byte ${bare}: S/MIME signs CRLF text only`);
}

/**
 * The complete signed message: `headers` (fields, each ending CRLF, Latin-1, without MIME-Version
 * and Content-Type), then the multipart/signed with `inner` as first part and smime.p7s second.
 */
export async function signMime(inner: Buffer, headers: string, options: SignMimeOptions): Promise<Buffer> {
  const { dialect, boundary } = options;
  if (!/^[0-9A-Za-z'()+_,./:=?-]{1,70}$/.test(boundary)) throw new Error(`signMime: invalid boundary ${JSON.stringify(boundary)}`);
  if (inner.includes(`--${boundary}`, 0, 'latin1')) throw new Error('signMime: the boundary occurs inside the signed content');
  if (headers && !headers.endsWith(CRLF)) throw new Error('signMime: header lines must end with CRLF');
  assertCanonical(inner);

  const p7s = await signDetachedAsync(inner, options.signer, { digest: dialect.digest, signingTime: new Date(options.at) });
  const protocol = dialect.signatureProtocol;
  const head = Buffer.from(
    headers +
      `MIME-Version: 1.0${CRLF}` +
      `Content-Type: multipart/signed; protocol="${protocol}";${CRLF}\t${micalgParam(dialect)}; boundary="${boundary}"${CRLF}` +
      CRLF +
      `This is an S/MIME signed message${CRLF}` +
      CRLF +
      `--${boundary}${CRLF}`,
    'latin1',
  );
  const tail = Buffer.from(
    `${CRLF}--${boundary}${CRLF}` +
      `Content-Type: ${protocol}; name="smime.p7s"${CRLF}` +
      `Content-Transfer-Encoding: base64${CRLF}` +
      `Content-Disposition: attachment; filename="smime.p7s"${CRLF}` +
      `Content-Description: S/MIME Cryptographic Signature${CRLF}` +
      CRLF +
      base64Lines(p7s) +
      `${CRLF}--${boundary}--${CRLF}`,
    'latin1',
  );
  return Buffer.concat([head, inner, tail]);
}
