// Verifying a detached CMS SignedData as a punto di ricezione or a consumer must (pec-rules §4, §7):
// signature over the signed attributes, messageDigest against the content, chain to a trusted CA,
// and certificate validity at signingTime, not now, because archived receipts outlive their
// certificates. forge only parses (it cannot verify CMS); Node's crypto checks every signature.
// Never throws on bad input: every problem becomes an entry of `errors`.

import { constants, createHash, verify, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { BoundedCache } from './bounded-cache.js';
import { certificateIdentity, certificatePem, describeCertificate, isValidAt, splitPemCertificates } from './certificate-info.js';
import {
  OID, children, der, derElements, derSortedSet, digestByOid, integerHex, isContext, isUniversal,
  normaliseP7s, parseDer, readBytes, readOid, readTime, set, type DigestInfo, type Node,
} from './cms-asn1.js';

const { Type } = forge.asn1;

export interface CmsSignerSummary {
  /** `CN=..., O=..., C=IT` */
  subject: string;
  /** SAN e-mail: `posta-certificata@<domain>` for a gestore */
  email: string | undefined;
  /** lower-case hex, the index's providerCertificateHash */
  fingerprintSha1: string;
  notBefore: Date;
  notAfter: Date;
  certPem: string;
}

export interface CmsVerdict {
  /** every check passed */
  ok: boolean;
  /** the signer's signature over the signed attributes (or the content when there are none) */
  signatureValid: boolean;
  /** messageDigest equals the digest of the content */
  digestValid: boolean;
  /** micalg spelling (`sha-256`, `sha1`, ...), or the OID when unknown */
  digestAlgorithm: string | undefined;
  signingTime?: Date;
  signer?: CmsSignerSummary;
  /** the signer certificate chains, signature by signature, to one of the trusted CAs */
  chainValid: boolean;
  /** every certificate of that chain was valid at signingTime (or at `at` without signingTime) */
  validAtSigningTime: boolean;
  errors: string[];
}

export interface VerifyOptions {
  /** PEM certificates (bundles allowed) of the CAs to trust: the index authority's root */
  trustedCaPem: string[];
  /** reference time for validity when the CMS carries no signingTime */
  at?: Date;
}

/** `p7s` may be DER, PEM or base64 (see normaliseP7s). */
export function verifyDetached(content: Buffer, p7s: Buffer | string, options: VerifyOptions): CmsVerdict {
  const verdict: CmsVerdict = {
    ok: false, signatureValid: false, digestValid: false, digestAlgorithm: undefined,
    chainValid: false, validAtSigningTime: false, errors: [],
  };
  try {
    check(content, p7s, options, verdict);
  } catch (error) {
    verdict.errors.push(`malformed CMS: ${(error as Error).message}`);
  }
  verdict.ok = verdict.signatureValid && verdict.digestValid && verdict.chainValid &&
    verdict.validAtSigningTime && verdict.errors.length === 0;
  return verdict;
}

function check(content: Buffer, p7s: Buffer | string, options: VerifyOptions, verdict: CmsVerdict): void {
  const errors = verdict.errors;
  let root: Node;
  let encoded: Buffer;
  try {
    encoded = normaliseP7s(p7s);
    root = parseDer(encoded);
  } catch (error) {
    errors.push(`not a CMS structure: ${(error as Error).message}`);
    return;
  }
  const [contentType, explicit] = children(root);
  if (readOid(contentType) !== OID.signedData || !isContext(explicit, 0)) {
    errors.push('not a CMS SignedData');
    return;
  }
  const signedData = children(children(explicit)[0]);
  const encapsulatedType = readOid(children(signedData[2])[0]);
  const certificateSet = signedData.find((node) => isContext(node, 0));
  const signerInfos = signedData[signedData.length - 1];
  if (!isUniversal(signerInfos, Type.SET) || children(signerInfos).length === 0) {
    errors.push('SignedData has no SignerInfo');
    return;
  }
  if (children(signerInfos).length > 1) errors.push('more than one SignerInfo: only the first was checked');

  const certificateNodes = children(certificateSet);
  const certificateBytes = embeddedCertificateBytes(encoded, certificateNodes.length);
  const certificates = certificateNodes.flatMap((node, i) => {
    if (!isUniversal(node, Type.SEQUENCE)) return []; // attribute certificates and other choices
    try {
      return [{ node, x509: parsedCertificate(certificateBytes?.[i] ?? der(node)) }];
    } catch {
      return [];
    }
  });

  const signerInfo = parseSignerInfo(children(signerInfos)[0]);
  if (typeof signerInfo === 'string') {
    errors.push(signerInfo);
    return;
  }
  const digest = digestByOid(signerInfo.digestOid);
  verdict.digestAlgorithm = digest?.micalg ?? signerInfo.digestOid;

  const signerCert = certificates.find((candidate) => matchesSid(candidate.node, signerInfo.sid))?.x509;
  if (signerCert) {
    const info = describeCertificate(signerCert);
    verdict.signer = {
      subject: info.subject,
      email: info.email,
      fingerprintSha1: info.fingerprintSha1,
      notBefore: info.notBefore,
      notAfter: info.notAfter,
      certPem: certificatePem(signerCert),
    };
  } else {
    errors.push('the signer certificate is not embedded in the CMS');
  }
  if (!digest) {
    errors.push(`unsupported digest algorithm ${signerInfo.digestOid}`);
    return;
  }

  checkSignature(content, signerInfo, digest, signerCert, encapsulatedType, verdict);

  if (!signerCert) return;
  const trusted = trustedCertificates(options.trustedCaPem, errors);
  const chain = buildChain(signerCert, certificates.map((candidate) => candidate.x509), trusted);
  verdict.chainValid = chain.ok;
  if (!chain.ok) errors.push('the signer certificate does not chain to a trusted CA');

  const at = verdict.signingTime ?? options.at;
  if (!at) {
    errors.push('no signingTime in the CMS and no reference time given: validity not checked');
    return;
  }
  const expired = chain.path.filter((cert) => !isValidAt(cert, at));
  verdict.validAtSigningTime = expired.length === 0;
  for (const cert of expired) {
    errors.push(`certificate "${describeCertificate(cert).subject}" was not valid at ${at.toISOString()}` +
      ` (valid ${new Date(cert.validFrom).toISOString()} to ${new Date(cert.validTo).toISOString()})`);
  }
}

/**
 * The exact bytes of each entry of SignedData's [0] certificates, read from the encoding itself;
 * undefined unless it is plain DER with `expected` entries (the caller then re-encodes forge's parse).
 */
function embeddedCertificateBytes(encoded: Buffer, expected: number): Buffer[] | undefined {
  const [contentInfo] = derElements(encoded) ?? [];
  if (!contentInfo) return undefined;
  const [, explicit] = derElements(encoded, contentInfo.contentStart, contentInfo.end) ?? [];
  if (!explicit) return undefined;
  const [signedData] = derElements(encoded, explicit.contentStart, explicit.end) ?? [];
  if (!signedData) return undefined;
  const certificateSet = derElements(encoded, signedData.contentStart, signedData.end)?.find((element) => element.tag === 0xa0);
  if (!certificateSet) return undefined;
  const entries = derElements(encoded, certificateSet.contentStart, certificateSet.end);
  if (!entries || entries.length !== expected) return undefined;
  return entries.map((entry) => encoded.subarray(entry.start, entry.end));
}

interface SignerInfo {
  sid: Node;
  digestOid: string;
  signedAttributes: Node | undefined;
  signatureAlgorithmOid: string;
  signature: Buffer;
}

function parseSignerInfo(node: Node): SignerInfo | string {
  const fields = children(node);
  const sid = fields[1];
  const digestOid = readOid(children(fields[2])[0]);
  let index = 3;
  const signedAttributes = isContext(fields[index], 0) ? fields[index++] : undefined;
  const signatureAlgorithm = fields[index++];
  const signatureAlgorithmOid = readOid(children(signatureAlgorithm)[0]);
  const signature = readBytes(fields[index]);
  if (!sid || !digestOid || !signatureAlgorithmOid || !signature || !isUniversal(fields[index], Type.OCTETSTRING)) {
    return 'malformed SignerInfo';
  }
  return { sid, digestOid, signedAttributes, signatureAlgorithmOid, signature };
}

function checkSignature(
  content: Buffer, signerInfo: SignerInfo, digest: DigestInfo, signerCert: X509Certificate | undefined,
  encapsulatedType: string | undefined, verdict: CmsVerdict,
): void {
  const errors = verdict.errors;
  const contentDigest = createHash(digest.nodeName).update(content).digest();
  let signedBytes: Buffer[];
  if (signerInfo.signedAttributes) {
    const attributes = readAttributes(signerInfo.signedAttributes);
    verdict.signingTime = attributes.signingTime;
    if (!attributes.contentType) errors.push('signed attributes lack contentType');
    else if (attributes.contentType !== encapsulatedType) errors.push('signed contentType differs from the encapsulated content type');
    if (!attributes.messageDigest) errors.push('signed attributes lack messageDigest');
    verdict.digestValid = attributes.messageDigest !== undefined && attributes.messageDigest.equals(contentDigest);
    if (attributes.messageDigest && !verdict.digestValid) errors.push('messageDigest does not match the content');
    // As sent first; then DER-sorted, for signers that signed the sorted SET but sent another order.
    const asSent = der(set(children(signerInfo.signedAttributes)));
    const sorted = der(derSortedSet(children(signerInfo.signedAttributes)));
    signedBytes = asSent.equals(sorted) ? [asSent] : [asSent, sorted];
  } else {
    // Without signed attributes the signature covers the content itself: one check answers both.
    signedBytes = [content];
  }
  if (!signerCert) return;

  const key = verifyKey(signerCert, signerInfo);
  if (typeof key === 'string') {
    errors.push(key);
    return;
  }
  verdict.signatureValid = signedBytes.some((bytes) => {
    try {
      return verify(digest.nodeName, bytes, key, signerInfo.signature);
    } catch {
      return false;
    }
  });
  if (!signerInfo.signedAttributes) verdict.digestValid = verdict.signatureValid;
  if (!verdict.signatureValid) errors.push('the signature does not verify with the signer certificate');
}

type VerifyKey = Parameters<typeof verify>[2];

function verifyKey(cert: X509Certificate, signerInfo: SignerInfo): VerifyKey | string {
  if (signerInfo.signatureAlgorithmOid !== OID.rsassaPss) return cert.publicKey;
  // RSASSA-PSS parameters carry their own hash and salt; the salt length is recovered from the signature.
  return { key: cert.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO };
}

interface SignedAttributes {
  contentType?: string;
  messageDigest?: Buffer;
  signingTime?: Date;
}

function readAttributes(container: Node): SignedAttributes {
  const result: SignedAttributes = {};
  for (const attribute of children(container)) {
    const [type, values] = children(attribute);
    const value = children(values)[0];
    switch (readOid(type)) {
      case OID.contentType:
        result.contentType = readOid(value);
        break;
      case OID.messageDigest:
        if (isUniversal(value, Type.OCTETSTRING)) result.messageDigest = readBytes(value);
        break;
      case OID.signingTime:
        result.signingTime = readTime(value);
        break;
      default:
        break;
    }
  }
  return result;
}

/** SignerIdentifier: issuerAndSerialNumber, or [0] subjectKeyIdentifier. */
function matchesSid(certificate: Node, sid: Node): boolean {
  const tbs = children(children(certificate)[0]);
  const offset = isContext(tbs[0], 0) ? 1 : 0;
  if (isUniversal(sid, Type.SEQUENCE)) {
    const [issuer, serial] = children(sid);
    const certSerial = readBytes(tbs[offset]);
    const sidSerial = readBytes(serial);
    if (!certSerial || !sidSerial || !tbs[offset + 2] || !issuer) return false;
    return integerHex(certSerial) === integerHex(sidSerial) && der(tbs[offset + 2]).equals(der(issuer));
  }
  if (isContext(sid, 0)) {
    const wanted = readBytes(sid);
    return wanted !== undefined && subjectKeyIdentifier(tbs)?.equals(wanted) === true;
  }
  return false;
}

function subjectKeyIdentifier(tbs: Node[]): Buffer | undefined {
  const extensions = children(children(tbs.find((node) => isContext(node, 3)))[0]);
  for (const extension of extensions) {
    const fields = children(extension);
    if (readOid(fields[0]) !== OID.subjectKeyIdentifier) continue;
    const wrapped = readBytes(fields[fields.length - 1]);
    if (!wrapped) return undefined;
    return readBytes(parseDer(wrapped));
  }
  return undefined;
}

interface Chain {
  ok: boolean;
  /** signer first, up to and including the trust anchor when reached */
  path: X509Certificate[];
}

const MAX_CHAIN = 8;

function buildChain(leaf: X509Certificate, embedded: X509Certificate[], trusted: X509Certificate[]): Chain {
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (trusted.some((anchor) => certificateIdentity(anchor) === certificateIdentity(current))) return { ok: true, path };
    const anchor = trusted.find((candidate) => issuedBy(current, candidate));
    if (anchor) return { ok: true, path: [...path, anchor] };
    const next = embedded.find((candidate) =>
      candidate.ca && !path.includes(candidate) && issuedBy(current, candidate));
    if (!next) return { ok: false, path };
    path.push(next);
    current = next;
  }
  return { ok: false, path };
}

function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  return issuedCache.get(`${certificateIdentity(child)}>${certificateIdentity(issuer)}`, () => {
    try {
      return child.checkIssued(issuer) && child.verify(issuer.publicKey);
    } catch {
      return false;
    }
  });
}

// A gestore receives the same few provider certificates thousands of times: parsing each one
// and re-checking its issuer's signature every time was a visible share of a PEC flow's CPU.
const certificateCache = new BoundedCache<X509Certificate>(256);
const issuedCache = new BoundedCache<boolean>(256);

function parsedCertificate(bytes: Buffer): X509Certificate {
  return certificateCache.get(createHash('sha1').update(bytes).digest('base64'), () => new X509Certificate(bytes));
}

// Receipts are verified by the thousand against the same one or two roots: parse them once.
const trustCache = new BoundedCache<{ certificates: X509Certificate[]; unreadable: number }>(64);

function trustedCertificates(pems: string[], errors: string[]): X509Certificate[] {
  const result: X509Certificate[] = [];
  for (const pem of pems) {
    const parsed = trustCache.get(pem, () => {
      const read = { certificates: [] as X509Certificate[], unreadable: 0 };
      const blocks = splitPemCertificates(pem);
      if (blocks.length === 0) read.unreadable++;
      for (const block of blocks) {
        try {
          read.certificates.push(new X509Certificate(block));
        } catch {
          read.unreadable++;
        }
      }
      return read;
    });
    if (parsed.unreadable > 0) errors.push('a trusted CA certificate could not be parsed');
    result.push(...parsed.certificates);
  }
  return result;
}
