// Issuing the test PKI's certificates in memory: the root CA (standing for the index authority),
// one signing certificate per gestore with the profile of pec-rules §4, and the TLS server
// certificate of the listeners. forge builds the X.509 structure; Node's crypto makes the keys
// and the RSA signature, because forge's JS RSA takes seconds to generate and ~40 ms to sign.

import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import type { Signer } from '../pec/types.js';

/**
 * certificatePolicies OID of the gestori's signing certificates. It sits under the IANA arc of the
 * PEC schema (1.3.6.1.4.1.16572, pec-rules §8) in a branch, 99, that no real PEC policy uses, so a
 * certificate carrying it is recognisably a testbed one.
 */
export const TEST_SIGNING_POLICY_OID = '1.3.6.1.4.1.16572.99.1';

export const CA_COMMON_NAME = 'PEC Testbed Root CA - TEST ONLY';
export const PKI_ORGANIZATION = 'PEC Testbed';

export interface CertificateAuthority {
  certPem: string;
  privateKey: KeyObject;
}

export interface GestoreCertRequest {
  id: string;
  /** legal name: the certificate says `CN=Posta Certificata <name>, O=<name>` */
  name: string;
  /** the SAN e-mail is `posta-certificata@<mailDomain>` */
  mailDomain: string;
  /** other PEC domains the gestore manages: not in the signing certificate, added to the TLS one */
  domains?: string[];
}

export interface Validity {
  notBefore?: Date;
  notAfter?: Date;
}

export interface TlsCertificate {
  certPem: string;
  keyPem: string;
  privateKey: KeyObject;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const YEAR_MS = 365 * DAY_MS;

/** Default lifetimes; they start a day in the past so that a skewed clock still sees them valid. */
export const LIFETIME = {
  ca: 10 * YEAR_MS,
  signer: 3 * YEAR_MS,
  // Apple platforms refuse TLS server certificates longer than 825 days, even from a private root.
  tls: 800 * DAY_MS,
} as const;

export function createCa(options: Validity & { commonName?: string; organization?: string } = {}): CertificateAuthority {
  const { privateKey, publicKey } = newRsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerial();
  setValidity(cert, options, LIFETIME.ca);
  const name = nameAttributes(options.commonName ?? CA_COMMON_NAME, options.organization ?? PKI_ORGANIZATION);
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signCertificate(cert, privateKey);
  return { certPem: pemOf(cert), privateKey };
}

/**
 * The same root (name, key, extensions) with another validity. Everything issued under `ca` still
 * chains to the result, so a CA can be stretched over a virtual time without new trust anchors.
 */
export function reissueCa(ca: CertificateAuthority, validity: Required<Validity>): CertificateAuthority {
  const cert = forge.pki.certificateFromPem(ca.certPem);
  cert.serialNumber = randomSerial();
  setValidity(cert, validity, LIFETIME.ca);
  signCertificate(cert, ca.privateKey);
  return { certPem: pemOf(cert), privateKey: ca.privateKey };
}

/** A gestore's signing certificate (pec-rules §4), with a fresh key, issued by `ca`. */
export function issueSigner(ca: CertificateAuthority, req: GestoreCertRequest, validity: Validity = {}): Signer {
  const issuer = forge.pki.certificateFromPem(ca.certPem);
  const { privateKey, publicKey } = newRsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerial();
  setValidity(cert, validity, LIFETIME.signer);
  cert.setSubject(nameAttributes(`Posta Certificata ${req.name}`, req.name));
  cert.setIssuer(issuer.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'extKeyUsage', emailProtection: true },
    { name: 'subjectAltName', altNames: [{ type: 1, value: signerEmail(req.mailDomain) }] },
    { id: '2.5.29.32', name: 'certificatePolicies', value: certificatePolicies(TEST_SIGNING_POLICY_OID) },
    { name: 'subjectKeyIdentifier' },
    authorityKeyIdentifier(issuer),
  ]);
  signCertificate(cert, ca.privateKey);
  return { certPem: pemOf(cert), chainPem: [ca.certPem], privateKey };
}

/** TLS server certificate for loopback and the given DNS names (wildcards allowed). */
export function issueTlsCertificate(ca: CertificateAuthority, hostnames: string[], validity: Validity = {}): TlsCertificate {
  const issuer = forge.pki.certificateFromPem(ca.certPem);
  const { privateKey, publicKey } = newRsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerial();
  setValidity(cert, validity, LIFETIME.tls);
  cert.setSubject(nameAttributes('PEC Testbed TLS - TEST ONLY', PKI_ORGANIZATION));
  cert.setIssuer(issuer.subject.attributes);
  const altNames = hostnames.map((host) =>
    isIP(host) ? { type: 7, ip: host } : { type: 2, value: host },
  );
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    authorityKeyIdentifier(issuer),
  ]);
  signCertificate(cert, ca.privateKey);
  return {
    certPem: pemOf(cert),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    privateKey,
  };
}

// forge writes PEM with CRLF; files and comparisons here use LF, as openssl and Node do.
function pemOf(cert: forge.pki.Certificate): string {
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}

export function signerEmail(mailDomain: string): string {
  return `posta-certificata@${mailDomain}`;
}

export function privateKeyToPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function privateKeyFromPem(pem: string): KeyObject {
  return createPrivateKey(pem);
}

function newRsaKeyPair(): { privateKey: KeyObject; publicKey: forge.pki.PublicKey } {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const spki = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey: pair.privateKey, publicKey: forge.pki.publicKeyFromPem(spki) };
}

// Positive 127-bit serial: random (RFC 5280 asks for unpredictable serials) with the top bit clear.
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  bytes[0] |= 0x01;
  return bytes.toString('hex');
}

function setValidity(cert: forge.pki.Certificate, validity: Validity, lifetimeMs: number): void {
  const notBefore = validity.notBefore ?? new Date(Date.now() - DAY_MS);
  const notAfter = validity.notAfter ?? new Date(notBefore.getTime() + lifetimeMs);
  if (!(notAfter.getTime() > notBefore.getTime())) throw new RangeError('notAfter must be after notBefore');
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
}

// UTF8String values (RFC 5280 §4.1.2.4): names like "Società" are not PrintableString.
function nameAttributes(commonName: string, organization: string): forge.pki.CertificateField[] {
  const utf8 = forge.asn1.Type.UTF8;
  return [
    { shortName: 'C', value: 'IT', valueTagClass: forge.asn1.Type.PRINTABLESTRING },
    { shortName: 'O', value: organization, valueTagClass: utf8 },
    { shortName: 'CN', value: commonName, valueTagClass: utf8 },
  ] as unknown as forge.pki.CertificateField[];
}

// The AKI must repeat the issuer's own SKI, whichever way the issuer computed it.
function authorityKeyIdentifier(issuer: forge.pki.Certificate): object {
  const ski = issuer.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
  const keyIdentifier = ski?.subjectKeyIdentifier
    ? forge.util.hexToBytes(ski.subjectKeyIdentifier)
    : issuer.generateSubjectKeyIdentifier().getBytes();
  return { name: 'authorityKeyIdentifier', keyIdentifier };
}

// forge has no builder for certificatePolicies: SEQUENCE OF PolicyInformation { policyIdentifier }.
function certificatePolicies(oid: string): forge.asn1.Asn1 {
  const { asn1 } = forge;
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
    ]),
  ]);
}

function signCertificate(cert: forge.pki.Certificate, key: KeyObject): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption;
  cert.signatureOid = oid;
  (cert as unknown as { siginfo: { algorithmOid: string } }).siginfo.algorithmOid = oid;
  // getTBSCertificate exists in forge but not in its type definitions.
  const { getTBSCertificate } = forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 };
  const tbsAsn1 = getTBSCertificate(cert);
  (cert as unknown as { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = tbsAsn1;
  const tbs = forge.asn1.toDer(tbsAsn1).getBytes();
  cert.signature = sign('sha256', Buffer.from(tbs, 'binary'), key).toString('binary');
}
