// The providers' index (IGPEC, pec-rules §8): one `provider` entry per simulated gestore with its
// signing certificate, the certificate's SHA-1 hash, its receipt address and managed domains. The
// incoming point trusts a signature when the signer's hash is listed and the sending domain is
// among that provider's managedDomains; the same data is published as LDIF for other tools.
//
// providerCertificateHash format: the SHA-1 of the DER certificate as 40 uppercase hex digits,
// no separators. RFC 6109 names the hash but no spelling: this is the testbed's choice [C].
// Lookups accept any case and ':'-separated forms (as `openssl x509 -fingerprint` prints).
import { createHash, X509Certificate } from 'node:crypto';
import { escapeDnValue, toLdifText, type LdifEntry } from './ldif.js';
import type { GestoreConfig, Topology } from './topology.js';

export interface ProviderEntry {
  /** the testbed's gestore id (not an index attribute) */
  gestoreId: string;
  providerName: string;
  /** SHA-1 of the DER signing certificate, 40 uppercase hex digits */
  providerCertificateHash: string;
  /** the DER signing certificate, base64 */
  providerCertificate: string;
  /** where presa in carico and rilevazione virus are sent */
  mailReceipt: string;
  managedDomains: string[];
  description?: string;
  LDIFLocationURL?: string;
}

export interface ProviderIndex {
  entries: readonly ProviderEntry[];
  /** the entry whose certificate has this SHA-1 fingerprint (any case, with or without ':') */
  byFingerprint(fingerprint: string): ProviderEntry | undefined;
  /** the entry managing this domain (case-insensitive) */
  byDomain(domain: string): ProviderEntry | undefined;
}

/** Where the signing certificates come from: the test PKI, or certificates of real providers. */
export interface IndexCertificates {
  /** the gestore's signing certificate, PEM (the first certificate of the text is used) */
  certificatePem(gestoreId: string): string;
  /** SHA-1 fingerprint as the PKI computed it; when given it must match the certificate */
  fingerprint?(gestoreId: string): string;
}

export interface BuildIndexOptions {
  /** published as LDIFLocationURL of every entry */
  ldifLocationUrl?: string;
  description?: (gestore: GestoreConfig) => string;
}

/** `ab:cd:...` or `abcd...` -> `ABCD...` */
export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.replace(/[:\s]/g, '').toUpperCase();
}

export function sha1Fingerprint(der: Uint8Array): string {
  return createHash('sha1').update(der).digest('hex').toUpperCase();
}

export function buildIndex(
  topology: Pick<Topology, 'gestori'>,
  certs: IndexCertificates,
  options: BuildIndexOptions = {},
): ProviderIndex {
  const entries = topology.gestori.map((gestore): ProviderEntry => {
    let der: Buffer;
    try {
      der = new X509Certificate(certs.certificatePem(gestore.id)).raw;
    } catch (error) {
      throw new Error(`index: no usable signing certificate for gestore "${gestore.id}": ${(error as Error).message}`);
    }
    const hash = sha1Fingerprint(der);
    const claimed = certs.fingerprint?.(gestore.id);
    if (claimed !== undefined && normalizeFingerprint(claimed) !== hash) {
      throw new Error(`index: fingerprint ${claimed} given for gestore "${gestore.id}" is not the SHA-1 of its certificate (${hash})`);
    }
    const entry: ProviderEntry = {
      gestoreId: gestore.id,
      providerName: gestore.name,
      providerCertificateHash: hash,
      providerCertificate: der.toString('base64'),
      mailReceipt: gestore.receiptMailbox,
      managedDomains: [...gestore.domains],
      description: options.description?.(gestore) ?? `Gestore PEC simulato da pec-testbed (id ${gestore.id})`,
    };
    if (options.ldifLocationUrl !== undefined) entry.LDIFLocationURL = options.ldifLocationUrl;
    return entry;
  });

  const byHash = new Map<string, ProviderEntry>();
  const byDomain = new Map<string, ProviderEntry>();
  for (const entry of entries) {
    // Two gestori signing with one certificate would make the incoming point's trust ambiguous.
    const other = byHash.get(entry.providerCertificateHash);
    if (other) throw new Error(`index: gestori "${other.gestoreId}" and "${entry.gestoreId}" have the same signing certificate`);
    byHash.set(entry.providerCertificateHash, entry);
    for (const domain of entry.managedDomains) byDomain.set(domain.toLowerCase(), entry);
  }
  return Object.freeze({
    entries: Object.freeze(entries),
    byFingerprint: (fingerprint: string) => byHash.get(normalizeFingerprint(fingerprint)),
    byDomain: (domain: string) => byDomain.get(domain.trim().toLowerCase().replace(/\.$/, '')),
  });
}

/** The RFC 6109 schema, IANA arc 1.3.6.1.4.1.16572 (attributes .2.2.x, object classes .2.1.x). */
export const IGPEC_SCHEMA_OIDS = {
  providerCertificateHash: '1.3.6.1.4.1.16572.2.2.1',
  providerCertificate: '1.3.6.1.4.1.16572.2.2.2',
  providerName: '1.3.6.1.4.1.16572.2.2.3',
  mailReceipt: '1.3.6.1.4.1.16572.2.2.4',
  managedDomains: '1.3.6.1.4.1.16572.2.2.5',
  LDIFLocationURL: '1.3.6.1.4.1.16572.2.2.6',
  providerUnit: '1.3.6.1.4.1.16572.2.2.7',
  LDIFLocationURLObject: '1.3.6.1.4.1.16572.2.1.1',
  provider: '1.3.6.1.4.1.16572.2.1.2',
} as const;

export interface ToLdifOptions {
  /** also write the base entry (`o=postacert`, objectClass organization) so the file loads into an empty directory; default true */
  includeBase?: boolean;
  /**
   * write `providerCertificate;binary::` (RFC 4522 transfer option): what OpenLDAP wants when the
   * schema gives the attribute the Certificate syntax; default false, plain `providerCertificate::`
   */
  binaryOption?: boolean;
}

/** DN of a provider entry: `providerName=<name>,<baseDn>`. */
export function providerDn(entry: ProviderEntry, baseDn = 'o=postacert'): string {
  return `providerName=${escapeDnValue(entry.providerName)},${baseDn}`;
}

/**
 * The index as LDIF (RFC 2849): one `provider` entry per gestore under `baseDn`, the certificate
 * as base64 binary (`providerCertificate:: ...`), lines folded at 76 octets.
 */
export function toLdif(index: ProviderIndex, baseDn = 'o=postacert', options: ToLdifOptions = {}): string {
  const entries: LdifEntry[] = [];
  const base = /^o=([^,]+)$/i.exec(baseDn);
  if ((options.includeBase ?? true) && base) {
    entries.push({ dn: baseDn, attributes: [['objectClass', 'top'], ['objectClass', 'organization'], ['o', base[1]]] });
  }
  for (const entry of index.entries) {
    const attributes: LdifEntry['attributes'] = [
      ['objectClass', 'top'],
      ['objectClass', 'provider'],
      ['providerName', entry.providerName],
      ['providerCertificateHash', entry.providerCertificateHash],
      [options.binaryOption ? 'providerCertificate;binary' : 'providerCertificate', Buffer.from(entry.providerCertificate, 'base64')],
      ['mailReceipt', entry.mailReceipt],
      ...entry.managedDomains.map((domain): [string, string] => ['managedDomains', domain]),
    ];
    if (entry.description !== undefined) attributes.push(['description', entry.description]);
    if (entry.LDIFLocationURL !== undefined) attributes.push(['LDIFLocationURL', entry.LDIFLocationURL]);
    entries.push({ dn: providerDn(entry, baseDn), attributes });
  }
  return toLdifText(entries, { header: ldifHeader(baseDn) });
}

function ldifHeader(baseDn: string): string[] {
  const o = IGPEC_SCHEMA_OIDS;
  const row = (name: string, oid: string, note = '') => `    ${name.padEnd(34)}${oid}${note}`;
  // Kept under 76 columns so that no comment line needs folding.
  return [
    'Indice dei gestori PEC (IGPEC) of a pec-testbed topology.',
    "TEST DATA: simulated providers, certificates of the testbed's own CA.",
    `One entry per gestore under ${baseDn}.`,
    '',
    'Schema: RFC 6109, IANA arc 1.3.6.1.4.1.16572',
    '  object classes:',
    row('provider (SUP top STRUCTURAL)', o.provider),
    row('LDIFLocationURLObject', o.LDIFLocationURLObject),
    '  provider MUST:',
    row('providerCertificateHash', o.providerCertificateHash),
    row('providerCertificate', o.providerCertificate),
    row('providerName', o.providerName),
    row('mailReceipt', o.mailReceipt),
    row('managedDomains (multi-valued)', o.managedDomains),
    '  provider MAY:',
    row('description', '2.5.4.13'),
    row('LDIFLocationURL', o.LDIFLocationURL),
    row('providerUnit', o.providerUnit),
    'providerCertificateHash: SHA-1 of the DER signing certificate as',
    '  40 uppercase hex digits (testbed choice; compare case-insensitively).',
    'providerCertificate: the DER signing certificate, base64 (::).',
    '',
  ];
}
