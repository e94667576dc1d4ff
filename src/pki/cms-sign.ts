// Detached CMS SignedData (RFC 5652) the way PEC providers sign (pec-rules §4): one RSA signer
// identified by issuer and serial, signed attributes contentType, signingTime, messageDigest,
// the signer certificate and its chain embedded. Pure: bytes and time in, DER out.
// forge lays out the structure; Node's crypto hashes the content and makes the RSA signature.

import { createHash, sign, X509Certificate } from 'node:crypto';
import type { Signer } from '../pec/types.js';
import { splitPemCertificates } from './certificate-info.js';
import {
  OID, algorithm, children, context, der, derSortedSet, digestByMicalg, integer, isContext, octets, oid,
  parseDer, preEncoded, sequence, set, time, type Node,
} from './cms-asn1.js';

export type CmsDigest = 'sha-256' | 'sha1';

export interface SignOptions {
  /** micalg name: sha-256 by default in PEC, sha1 in the legacy dialect */
  digest: CmsDigest;
  /** the signingTime attribute; verifiers judge certificate validity at this time */
  signingTime: Date;
}

/** Signs exactly `content` (the MIME part's bytes, CRLF lines) and returns the p7s as DER. */
export function signDetached(content: Buffer, signer: Signer, options: SignOptions): Buffer {
  const pending = prepareSignedData(content, signer, options);
  return pending.assemble(sign(pending.hash, pending.toSign, signer.privateKey));
}

/**
 * The same, with the RSA operation on libuv's thread pool: a gestore signs four messages per
 * flow, and keeping that off the event loop lets SMTP, IMAP and SQLite go on meanwhile.
 */
export function signDetachedAsync(content: Buffer, signer: Signer, options: SignOptions): Promise<Buffer> {
  const pending = prepareSignedData(content, signer, options);
  return new Promise((resolve, reject) => {
    sign(pending.hash, pending.toSign, signer.privateKey, (error, signature) => {
      if (error) reject(error);
      else resolve(pending.assemble(signature));
    });
  });
}

interface PendingSignature {
  /** Node hash name for the RSA signature */
  hash: string;
  /** DER of the signed attributes, the bytes the RSA signature covers */
  toSign: Buffer;
  assemble(signature: Buffer): Buffer;
}

function prepareSignedData(content: Buffer, signer: Signer, options: SignOptions): PendingSignature {
  const digest = digestByMicalg(options.digest);
  const identity = signerIdentity(signer);
  const messageDigest = createHash(digest.nodeName).update(content).digest();

  // DER sorting of this SET gives contentType, signingTime, messageDigest: the order the rules
  // ask for, since the three encodings differ first in their length octet (0x18 < 0x1c < 0x23/0x2f).
  const attributes = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.signingTime, time(options.signingTime)),
    attribute(OID.messageDigest, octets(messageDigest)),
  ];
  const signedAttributes = derSortedSet(attributes);
  return {
    hash: digest.nodeName,
    // The signature covers the attributes encoded as a SET (tag 0x31), not as the [0] that carries them.
    toSign: der(signedAttributes),
    assemble(signature) {
      const signerInfo = sequence([
        integer(1),
        sequence([identity.issuer, identity.serial]),
        algorithm(digest.oid),
        context(0, children(signedAttributes)),
        algorithm(OID.rsaEncryption),
        octets(signature),
      ]);
      const signedData = sequence([
        integer(1),
        set([algorithm(digest.oid)]),
        sequence([oid(OID.data)]),
        identity.certificates,
        set([signerInfo]),
      ]);
      return der(sequence([oid(OID.signedData), context(0, [signedData])]));
    },
  };
}

function attribute(type: string, value: Node): Node {
  return sequence([oid(type), set([value])]);
}

interface SignerIdentity {
  certPem: string;
  chainPem: string[];
  issuer: Node;
  serial: Node;
  /** the [0] certificates field, DER-sorted as OpenSSL writes it (a SET OF: the signer may not come first) */
  certificates: Node;
}

// Parsing the certificates once per Signer keeps each signature to one hash and one RSA operation.
const identities = new WeakMap<Signer, SignerIdentity>();

function signerIdentity(signer: Signer): SignerIdentity {
  const cached = identities.get(signer);
  if (cached && cached.certPem === signer.certPem && cached.chainPem === signer.chainPem) return cached;

  const signerDer = new X509Certificate(signer.certPem).raw;
  const tbs = children(children(parseDer(signerDer))[0]);
  const offset = isContext(tbs[0], 0) ? 1 : 0; // [0] version is absent in v1 certificates
  const serial = tbs[offset];
  const issuer = tbs[offset + 2];
  if (!serial || !issuer) throw new Error('signer certificate has no serial number or issuer');

  const chainDer = signer.chainPem.flatMap(splitPemCertificates).map((pem) => new X509Certificate(pem).raw);
  const identity: SignerIdentity = {
    certPem: signer.certPem,
    chainPem: signer.chainPem,
    issuer: preEncoded(der(issuer)),
    serial: preEncoded(der(serial)),
    certificates: derSortedSet([signerDer, ...chainDer].map(preEncoded), 0),
  };
  identities.set(signer, identity);
  return identity;
}
