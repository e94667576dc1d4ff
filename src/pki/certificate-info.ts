// Reading certificates: PEM <-> DER, and the facts other modules show or index (SHA-1 fingerprint
// for the providers' index, subject, SAN e-mail, validity). Pure, and built on Node's native
// X509Certificate so that loading a PKI or verifying a receipt never pays for a JS parse.

import { createHash, X509Certificate } from 'node:crypto';
import { isIP, SocketAddress } from 'node:net';

export interface CertificateInfo {
  /** RFC 4514 order, most specific first: `CN=Posta Certificata X, O=X, C=IT` */
  subject: string;
  issuer: string;
  commonName: string | undefined;
  /** first e-mail of subjectAltName (else the subject's emailAddress) */
  email: string | undefined;
  dnsNames: string[];
  ipAddresses: string[];
  /** lower-case hex without colons, of the DER certificate: the index's providerCertificateHash */
  fingerprintSha1: string;
  fingerprintSha256: string;
  /** lower-case hex */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM bundle, each as its own PEM block with a final newline. */
export function splitPemCertificates(pem: string): string[] {
  return (pem.match(PEM_CERT) ?? []).map((block) => `${block.trim()}\n`);
}

export function pemToDer(pem: string): Buffer {
  const body = pem.replace(/-----(BEGIN|END) [^-]+-----/g, '').replace(/\s+/g, '');
  return Buffer.from(body, 'base64');
}

export function derToPem(der: Buffer, label = 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** SHA-1 of the DER certificate, lower-case hex without colons. */
export function fingerprintSha1(cert: string | Buffer | X509Certificate): string {
  return createHash('sha1').update(toX509(cert).raw).digest('hex');
}

export function toX509(cert: string | Buffer | X509Certificate): X509Certificate {
  return cert instanceof X509Certificate ? cert : new X509Certificate(cert);
}

export function describeCertificate(cert: string | Buffer | X509Certificate): CertificateInfo {
  const info = factsOf(toX509(cert)).info;
  // a copy: the cached facts stay as read
  return { ...info, dnsNames: [...info.dnsNames], ipAddresses: [...info.ipAddresses], notBefore: new Date(info.notBefore), notAfter: new Date(info.notAfter) };
}

/** The certificate as one PEM block. */
export function certificatePem(cert: X509Certificate): string {
  return factsOf(cert).pem;
}

/** SHA-256 of the DER certificate, lower-case hex: what tells two certificates apart. */
export function certificateIdentity(cert: X509Certificate): string {
  return factsOf(cert).info.fingerprintSha256;
}

/** Whether the certificate is within its validity period at `at`. */
export function isValidAt(cert: X509Certificate, at: Date): boolean {
  const time = at.getTime();
  const { info } = factsOf(cert);
  return time >= info.notBefore.getTime() && time <= info.notAfter.getTime();
}

// X509Certificate formats or copies at every getter call (Node 20 caches none), and a gestore
// reads the same few provider certificates at every receipt it verifies: what is read once per
// certificate object is kept with it.
const factsCache = new WeakMap<X509Certificate, { info: CertificateInfo; pem: string }>();

function factsOf(x509: X509Certificate): { info: CertificateInfo; pem: string } {
  const cached = factsCache.get(x509);
  if (cached) return cached;
  const subjectParts = nameParts(x509.subject);
  const altNames = parseSubjectAltName(x509.subjectAltName);
  const subjectEmail = attributeValue(subjectParts, 'emailAddress');
  const raw = x509.raw;
  const facts = {
    info: {
      subject: formatName(subjectParts),
      issuer: formatName(nameParts(x509.issuer)),
      commonName: attributeValue(subjectParts, 'CN'),
      email: altNames.email[0] ?? subjectEmail,
      dnsNames: altNames.dns,
      ipAddresses: altNames.ip,
      fingerprintSha1: createHash('sha1').update(raw).digest('hex'),
      fingerprintSha256: createHash('sha256').update(raw).digest('hex'),
      serialNumber: x509.serialNumber.toLowerCase(),
      notBefore: new Date(x509.validFrom),
      notAfter: new Date(x509.validTo),
      isCa: x509.ca,
    },
    pem: x509.toString(),
  };
  factsCache.set(x509, facts);
  return facts;
}

// Node prints names one attribute per line in DER order (C first); people and the rules write
// them most specific first.
function nameParts(name: string): string[] {
  return name.split('\n').filter((line) => line.length > 0);
}

// Node escapes RFC 4514 specials (`\,`, `\+`, `\"`, `\\`); a single attribute's value is wanted raw.
function attributeValue(parts: string[], type: string): string | undefined {
  const part = parts.find((candidate) => candidate.startsWith(`${type}=`));
  return part === undefined ? undefined : part.slice(type.length + 1).replace(/\\(.)/g, '$1');
}

function formatName(parts: string[]): string {
  return [...parts].reverse().join(', ');
}

interface AltNames {
  email: string[];
  dns: string[];
  ip: string[];
}

// Node >= 20.x quotes entries that contain separators, as JSON strings: `email:"a,b@x"`.
function parseSubjectAltName(san: string | undefined): AltNames {
  const result: AltNames = { email: [], dns: [], ip: [] };
  if (!san) return result;
  const entry = /(email|DNS|IP Address|URI|DirName|othername|Registered ID):("(?:[^"\\]|\\.)*"|[^,]*)(?:,\s*|$)/g;
  for (const match of san.matchAll(entry)) {
    const kind = match[1];
    let value = match[2].trim();
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        value = value.slice(1, -1);
      }
    }
    if (kind === 'email') result.email.push(value);
    else if (kind === 'DNS') result.dns.push(value);
    else if (kind === 'IP Address') result.ip.push(canonicalIp(value));
  }
  return result;
}

/** `0:0:0:0:0:0:0:1` -> `::1`, so that addresses compare as strings. */
export function canonicalIp(address: string): string {
  const family = isIP(address);
  if (family === 0) return address;
  return new SocketAddress({ address, family: family === 6 ? 'ipv6' : 'ipv4' }).address;
}
