// Opening CMS SignedData envelopes found in mail: the signature part of multipart/signed, an
// `application/pkcs7-mime` (opaque signed) message, and `.p7m` attachments, which real software
// meets in DER, PEM or bare base64 (pec-rules §9). Reads structure only; the cryptographic check
// belongs to the PKI's CMS module.

import forge from 'node-forge';
import { normaliseP7s } from '../pki/cms.js';

export type P7mEncoding = 'der' | 'pem' | 'base64';

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';

/** Recognises the three encodings and returns DER, or null when the bytes are none of them. */
export function p7mToDer(bytes: Buffer): { der: Buffer; encoding: P7mEncoding } | null {
  if (bytes.length === 0) return null;
  let der: Buffer;
  try {
    der = normaliseP7s(bytes);
  } catch {
    return null;
  }
  const encoding: P7mEncoding = bytes[0] === 0x30 ? 'der' : /-----BEGIN /.test(bytes.subarray(0, 200).toString('latin1')) ? 'pem' : 'base64';
  return { der, encoding };
}

function octets(node: forge.asn1.Asn1): Buffer {
  if (typeof node.value === 'string') return Buffer.from(node.value, 'binary');
  // constructed OCTET STRING (BER): concatenation of its segments
  return Buffer.concat(node.value.map(octets));
}

export interface SignedDataShape {
  /** the encapsulated content (opaque signing), null when detached */
  content: Buffer | null;
  /** eContentType OID */
  contentType: string | null;
}

/** Reads a ContentInfo as SignedData; throws with a readable message when it is not one. */
export function readSignedData(der: Buffer): SignedDataShape {
  let root: forge.asn1.Asn1;
  try {
    root = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')), false);
  } catch (error) {
    throw new Error(`not DER ASN.1: ${(error as Error).message}`);
  }
  const children = Array.isArray(root.value) ? root.value : [];
  const oidNode = children[0];
  if (!oidNode || oidNode.type !== forge.asn1.Type.OID || typeof oidNode.value !== 'string') throw new Error('not a CMS ContentInfo');
  const oid = forge.asn1.derToOid(oidNode.value);
  if (oid !== OID_SIGNED_DATA) throw new Error(`CMS content type ${oid} is not SignedData`);
  const explicit = children[1];
  const signedData = explicit && Array.isArray(explicit.value) ? explicit.value[0] : undefined;
  const fields = signedData && Array.isArray(signedData.value) ? signedData.value : [];
  const encap = fields[2];
  const encapFields = encap && Array.isArray(encap.value) ? encap.value : [];
  const typeNode = encapFields[0];
  const contentType = typeNode && typeof typeNode.value === 'string' ? forge.asn1.derToOid(typeNode.value) : null;
  const wrapped = encapFields[1];
  const inner = wrapped && Array.isArray(wrapped.value) ? wrapped.value[0] : undefined;
  return { content: inner ? octets(inner) : null, contentType };
}
