// The ASN.1 vocabulary shared by CMS signing and verification: OIDs, digest names, forge node
// builders and readers, and the p7s input forms (DER, PEM, bare base64) real software hands around.
// forge works on "binary strings" (one char per byte); Buffers cross the boundary through latin1.

import forge from 'node-forge';
import { BoundedCache } from './bounded-cache.js';

const { asn1 } = forge;

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  subjectKeyIdentifier: '2.5.29.14',
} as const;

/** CMS digest names as micalg spells them (RFC 5751 §3.4.3.2), Node hash names, OIDs. */
export interface DigestInfo {
  micalg: string;
  nodeName: string;
  oid: string;
}

export const DIGESTS: DigestInfo[] = [
  { micalg: 'sha1', nodeName: 'sha1', oid: '1.3.14.3.2.26' },
  { micalg: 'sha-224', nodeName: 'sha224', oid: '2.16.840.1.101.3.4.2.4' },
  { micalg: 'sha-256', nodeName: 'sha256', oid: '2.16.840.1.101.3.4.2.1' },
  { micalg: 'sha-384', nodeName: 'sha384', oid: '2.16.840.1.101.3.4.2.2' },
  { micalg: 'sha-512', nodeName: 'sha512', oid: '2.16.840.1.101.3.4.2.3' },
];

// Some signers name the digest through the signature OID (sha256WithRSAEncryption...) in digestAlgorithm.
const SIGNATURE_OID_DIGEST: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};

export function digestByMicalg(micalg: string): DigestInfo {
  const found = DIGESTS.find((digest) => digest.micalg === micalg);
  if (!found) throw new RangeError(`unsupported CMS digest "${micalg}"`);
  return found;
}

export function digestByOid(oid: string): DigestInfo | undefined {
  const direct = DIGESTS.find((digest) => digest.oid === oid);
  if (direct) return direct;
  const viaSignature = SIGNATURE_OID_DIGEST[oid];
  return DIGESTS.find((digest) => digest.nodeName === viaSignature);
}

export type Node = forge.asn1.Asn1;

export const toBinary = (buffer: Buffer): string => buffer.toString('latin1');
export const fromBinary = (bytes: string): Buffer => Buffer.from(bytes, 'latin1');

export function der(node: Node): Buffer {
  return fromBinary(asn1.toDer(node).getBytes());
}

export function sequence(children: Node[]): Node {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, children);
}

export function set(children: Node[]): Node {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, children);
}

export function context(tag: number, children: Node[]): Node {
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag as forge.asn1.Type, true, children);
}

// A signature writes and a verification reads the same dozen OIDs every time; forge's
// conversions build a byte buffer for each.
const oidDer = new BoundedCache<string>(256);
const oidText = new BoundedCache<string>(256);

export function oid(value: string): Node {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, oidDer.get(value, (text) => asn1.oidToDer(text).getBytes()));
}

export function octets(value: Buffer): Node {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, toBinary(value));
}

export function integer(value: number): Node {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(value).getBytes());
}

export function nullNode(): Node {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '');
}

export function algorithm(algorithmOid: string): Node {
  return sequence([oid(algorithmOid), nullNode()]);
}

/** RFC 5652 §11.3: UTCTime for 1950-2049, GeneralizedTime outside. */
export function time(date: Date): Node {
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) {
    return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date));
  }
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

/**
 * A node that serialises to the given, already DER-encoded bytes. forge writes the tag byte as
 * `tagClass | type`, so a primitive node whose type is the whole identifier octet carries a
 * pre-encoded certificate without forge walking (and re-encoding) its thousand nodes at every signature.
 */
export function preEncoded(encoded: Buffer): Node {
  const identifier = encoded[0];
  const header = headerLength(encoded);
  return asn1.create(0 as forge.asn1.Class, identifier as forge.asn1.Type, false, toBinary(encoded.subarray(header)));
}

function headerLength(encoded: Buffer): number {
  const first = encoded[1];
  if (first < 0x80) return 2;
  return 2 + (first & 0x7f);
}

/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
export function derSortedSet(children: Node[], tagged?: number): Node {
  const sorted = children
    .map((child) => ({ child, bytes: der(child) }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    .map(({ child }) => child);
  return tagged === undefined ? set(sorted) : context(tagged, sorted);
}

export function parseDer(bytes: Buffer): Node {
  // decodeBitStrings off: certificates must re-encode to exactly the bytes that were signed.
  return asn1.fromDer(toBinary(bytes), { strict: true, parseAllBytes: false, decodeBitStrings: false } as unknown as boolean);
}

/** One TLV of a DER encoding, by offsets into the bytes it was read from. */
export interface DerElement {
  /** the identifier octet (low-tag-number form only) */
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

/**
 * The TLVs laid end to end in `bytes[start, end)`, read without building nodes; undefined when
 * they are not plain definite-length DER. Gives the exact bytes of a part (a certificate in a
 * SignedData) where re-encoding forge's parse would cost more than the rest of a verification.
 */
export function derElements(bytes: Buffer, start = 0, end = bytes.length): DerElement[] | undefined {
  const elements: DerElement[] = [];
  let at = start;
  while (at < end) {
    const tag = bytes[at];
    if ((tag & 0x1f) === 0x1f || at + 1 >= end) return undefined;
    const first = bytes[at + 1];
    let length = first;
    let contentStart = at + 2;
    if (first & 0x80) {
      const octets = first & 0x7f;
      if (octets === 0 || octets > 4 || contentStart + octets > end) return undefined; // indefinite or absurd
      length = 0;
      for (let i = 0; i < octets; i++) length = length * 256 + bytes[contentStart + i];
      contentStart += octets;
    }
    const elementEnd = contentStart + length;
    if (elementEnd > end) return undefined;
    elements.push({ tag, start: at, contentStart, end: elementEnd });
    at = elementEnd;
  }
  return elements;
}

export function children(node: Node | undefined): Node[] {
  return node && Array.isArray(node.value) ? node.value : [];
}

export function isUniversal(node: Node | undefined, type: forge.asn1.Type): node is Node {
  return node !== undefined && node.tagClass === asn1.Class.UNIVERSAL && node.type === type;
}

export function isContext(node: Node | undefined, tag: number): node is Node {
  return node !== undefined && node.tagClass === asn1.Class.CONTEXT_SPECIFIC && node.type === tag;
}

export function readOid(node: Node | undefined): string | undefined {
  if (!isUniversal(node, asn1.Type.OID) || typeof node.value !== 'string') return undefined;
  return oidText.get(node.value, (bytes) => asn1.derToOid(bytes));
}

export function readBytes(node: Node | undefined): Buffer | undefined {
  if (!node || typeof node.value !== 'string') return undefined;
  return fromBinary(node.value);
}

export function readTime(node: Node | undefined): Date | undefined {
  if (!node || typeof node.value !== 'string' || node.tagClass !== asn1.Class.UNIVERSAL) return undefined;
  const text = node.value;
  const date = node.type === asn1.Type.UTCTIME
    ? asn1.utcTimeToDate(text)
    : node.type === asn1.Type.GENERALIZEDTIME
      ? asn1.generalizedTimeToDate(text)
      : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** Unsigned big-endian integer bytes without leading zeros, as lower-case hex. */
export function integerHex(bytes: Buffer): string {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start).toString('hex');
}

/**
 * A p7s as real software hands it around: DER, PEM (`PKCS7`, `CMS`, `PKCS #7 SIGNED DATA`
 * labels) or bare base64 with line breaks. Returns DER; throws when it is none of these.
 */
export function normaliseP7s(input: Buffer | string): Buffer {
  if (Buffer.isBuffer(input) && input[0] === 0x30) return input;
  const text = Buffer.isBuffer(input) ? input.toString('latin1') : input;
  const armoured = /-----BEGIN [^-]+-----([\s\S]*?)-----END [^-]+-----/.exec(text);
  const body = (armoured ? armoured[1] : text).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new Error('p7s is neither DER, PEM nor base64');
  const decoded = Buffer.from(body, 'base64');
  if (decoded[0] !== 0x30) throw new Error('p7s does not decode to a DER SEQUENCE');
  return decoded;
}
