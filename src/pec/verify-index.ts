// Reading a providers' index (IGPEC, pec-rules §8) for the verifier from the forms people have at
// hand: the LDIF that `pec-testbed index export` writes (or a real index dump), or JSON. Only
// what verification needs is kept: providerCertificateHash → providerName and managedDomains.

import { createHash } from 'node:crypto';
import type { ProviderIndex, ProviderIndexEntry } from './verify-signature.js';

type Attributes = Map<string, Array<string | Buffer>>;

/** RFC 2849 content records: unfolded, comments dropped, `::` values base64-decoded. */
function ldifRecords(text: string): Attributes[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const unfolded: string[] = [];
  for (const line of lines) {
    if (line.startsWith(' ') && unfolded.length > 0 && unfolded[unfolded.length - 1] !== '') unfolded[unfolded.length - 1] += line.slice(1);
    else unfolded.push(line);
  }
  const records: Attributes[] = [];
  let current: Attributes = new Map();
  const flush = () => {
    if (current.size > 0) records.push(current);
    current = new Map();
  };
  for (const line of unfolded) {
    if (line === '') {
      flush();
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([A-Za-z][\w-]*)(?:;[\w;-]+)?(::?)\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, name, sep, value] = m;
    const key = name.toLowerCase();
    const decoded = sep === '::' ? Buffer.from(value, 'base64') : value;
    current.set(key, [...(current.get(key) ?? []), decoded]);
  }
  flush();
  return records;
}

const asText = (v: string | Buffer) => (typeof v === 'string' ? v : v.toString('utf8'));

function fromLdif(text: string): Map<string, ProviderIndexEntry> {
  const index = new Map<string, ProviderIndexEntry>();
  for (const record of ldifRecords(text)) {
    const hashes = (record.get('providercertificatehash') ?? []).map(asText);
    // the hash can be recomputed from the certificate when an export leaves it out
    for (const cert of record.get('providercertificate') ?? []) {
      const der = typeof cert === 'string' ? Buffer.from(cert, 'base64') : cert;
      hashes.push(createHash('sha1').update(der).digest('hex'));
    }
    if (hashes.length === 0) continue;
    const entry: ProviderIndexEntry = {
      providerName: asText((record.get('providername') ?? [''])[0]),
      managedDomains: (record.get('manageddomains') ?? []).map((d) => asText(d).trim().toLowerCase()),
    };
    for (const hash of hashes) index.set(hash.replace(/[^0-9a-fA-F]/g, '').toLowerCase(), entry);
  }
  return index;
}

function fromJson(value: unknown): Map<string, ProviderIndexEntry> {
  const index = new Map<string, ProviderIndexEntry>();
  const add = (hash: unknown, item: Record<string, unknown>) => {
    if (typeof hash !== 'string') return;
    index.set(hash.replace(/[^0-9a-fA-F]/g, '').toLowerCase(), {
      providerName: String(item.providerName ?? ''),
      managedDomains: Array.isArray(item.managedDomains) ? item.managedDomains.map((d) => String(d).toLowerCase()) : [],
    });
  };
  const list = Array.isArray(value) ? value : (value as { entries?: unknown }).entries;
  if (Array.isArray(list)) {
    for (const item of list) if (item && typeof item === 'object') add((item as Record<string, unknown>).providerCertificateHash, item as Record<string, unknown>);
  } else if (value && typeof value === 'object') {
    for (const [hash, item] of Object.entries(value)) if (item && typeof item === 'object') add(hash, item as Record<string, unknown>);
  }
  return index;
}

/**
 * Parses an index given as LDIF or JSON (an array of `{providerCertificateHash, providerName,
 * managedDomains}`, `{entries: [...]}`, or an object keyed by fingerprint). Throws when the text
 * holds no provider at all, so that a wrong file is not taken for an empty index.
 */
export function readProviderIndex(text: string): ProviderIndex {
  const trimmed = text.trim();
  const index = trimmed.startsWith('{') || trimmed.startsWith('[') ? fromJson(JSON.parse(trimmed)) : fromLdif(text);
  if (index.size === 0) throw new Error('no provider entries (providerCertificateHash) found in the index');
  return index;
}
