// Provider dialects (pec-rules §3): the per-provider choices where real gestori differ on the wire
// while all still being PEC. `standard` is what the testbed emits by default; `legacy` reproduces
// 2018 Aruba / Sogei traffic (x-pkcs7, SHA-1, Latin-1 notices, `X-Tiporicevuta`). A gestore may
// override single fields: `{ ...standard, notice24hTipo: 'errore-consegna' }`.

import type { Dialect } from './types.js';

export const standard: Dialect = Object.freeze({
  name: 'standard',
  signatureProtocol: 'application/pkcs7-signature',
  digest: 'sha-256',
  micalgQuoted: false,
  textCharset: 'utf-8',
  textEncoding: 'quoted-printable',
  tipoRicevutaHeader: 'X-TipoRicevuta',
  breveHash: 'sha256',
  notice24hTipo: 'preavviso-errore-consegna',
});

export const legacy: Dialect = Object.freeze({
  name: 'legacy',
  signatureProtocol: 'application/x-pkcs7-signature',
  digest: 'sha1',
  micalgQuoted: true,
  textCharset: 'iso-8859-1',
  textEncoding: 'quoted-printable',
  tipoRicevutaHeader: 'X-Tiporicevuta',
  breveHash: 'sha1',
  notice24hTipo: 'preavviso-errore-consegna',
});

export const dialects: Readonly<Record<string, Dialect>> = Object.freeze({ standard, legacy });

export function getDialect(name: string): Dialect {
  const dialect = Object.prototype.hasOwnProperty.call(dialects, name) ? dialects[name] : undefined;
  if (!dialect) {
    throw new Error(`unknown PEC dialect "${name}"; known dialects: ${Object.keys(dialects).join(', ')}`);
  }
  return dialect;
}

/** The `micalg` parameter as the dialect writes it (RFC 5751 names: sha-256, sha1). */
export function micalgParam(dialect: Dialect): string {
  const token = dialect.digest === 'sha1' ? 'sha1' : 'sha-256';
  return dialect.micalgQuoted ? `micalg="${token}"` : `micalg=${token}`;
}
