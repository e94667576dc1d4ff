import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreatePki, type TestPki } from '../../src/pki/test-pki.js';
import {
  attributeLine, buildIndex, defaultScenarioPath, foldLine, loadScenarioFile, parseScenario, providerDn, toLdif,
  type IndexCertificates, type ProviderIndex, type Topology,
} from '../../src/topology/index.js';
import { readLdif, text } from './ldif-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'pec-igpec-'));

function pkiFor(topology: Topology, certsDir: string): TestPki {
  return loadOrCreatePki({
    dir: certsDir,
    gestori: topology.gestori.map((g) => ({ id: g.id, name: g.name, mailDomain: g.mailDomain, domains: g.domains })),
  });
}

function certsOf(pki: TestPki): IndexCertificates {
  return { certificatePem: (id) => pki.signers.get(id)!.certPem, fingerprint: (id) => pki.fingerprint(id) };
}

/** openssl as an independent judge of the certificate and its SHA-1 fingerprint */
function opensslSha1(der: Buffer): string {
  const file = join(dir, `cert-${Math.random().toString(36).slice(2)}.der`);
  writeFileSync(file, der);
  const out = execFileSync('openssl', ['x509', '-inform', 'DER', '-in', file, '-noout', '-fingerprint', '-sha1'], { encoding: 'utf8' });
  return /=([0-9A-F:]+)/.exec(out)![1].replace(/:/g, '');
}

describe('providers\' index of the default topology', () => {
  let topology: Topology;
  let pki: TestPki;
  let index: ProviderIndex;

  beforeAll(() => {
    topology = loadScenarioFile(defaultScenarioPath()).topology;
    pki = pkiFor(topology, join(dir, 'certs'));
    index = buildIndex(topology, certsOf(pki));
  });

  it('has one entry per gestore with the rules\' attributes', () => {
    expect(index.entries.map((e) => [e.gestoreId, e.providerName, e.mailReceipt, e.managedDomains])).toEqual([
      ['alfa', 'Alfa PEC S.p.A. (TEST)', 'posta-certificata@pec.alfa.test', ['pec.alfa.test', 'pec.comune-giardinello.test']],
      ['beta', 'Beta Certificata S.r.l. (TEST)', 'posta-certificata@pec.beta.test', ['pec.beta.test', 'pec.comune-mineo.test']],
    ]);
    for (const entry of index.entries) {
      const der = Buffer.from(entry.providerCertificate, 'base64');
      expect(der.equals(new X509Certificate(pki.signers.get(entry.gestoreId)!.certPem).raw)).toBe(true);
      expect(entry.providerCertificateHash).toMatch(/^[0-9A-F]{40}$/);
      expect(entry.providerCertificateHash).toBe(opensslSha1(der));
      expect(entry.providerCertificateHash).toBe(pki.fingerprint(entry.gestoreId).toUpperCase());
    }
  });

  it('finds a provider by fingerprint in any usual spelling, and by domain', () => {
    const beta = index.entries[1];
    const colons = beta.providerCertificateHash.match(/../g)!.join(':');
    expect(index.byFingerprint(beta.providerCertificateHash)?.gestoreId).toBe('beta');
    expect(index.byFingerprint(beta.providerCertificateHash.toLowerCase())?.gestoreId).toBe('beta');
    expect(index.byFingerprint(colons)?.gestoreId).toBe('beta');
    expect(index.byFingerprint('00'.repeat(20))).toBeUndefined();
    expect(index.byDomain('PEC.Comune-Mineo.test')?.gestoreId).toBe('beta');
    expect(index.byDomain('posta.ordinaria.test')).toBeUndefined();
  });

  it('refuses a fingerprint that is not the certificate\'s SHA-1, and a gestore without certificate', () => {
    expect(() => buildIndex(topology, { ...certsOf(pki), fingerprint: () => 'ab'.repeat(20) })).toThrow(/is not the SHA-1 of its certificate/);
    expect(() => buildIndex(topology, { certificatePem: () => 'not a pem' })).toThrow(/no usable signing certificate for gestore "alfa"/);
  });

  it('is written as LDIF that reads back to the same data', () => {
    const ldif = toLdif(index);
    const parsed = readLdif(ldif);
    expect(parsed.version).toBe(1);
    expect(parsed.entries.map((e) => e.dn)).toEqual([
      'o=postacert',
      'providerName=Alfa PEC S.p.A. (TEST),o=postacert',
      'providerName=Beta Certificata S.r.l. (TEST),o=postacert',
    ]);
    expect(text(parsed.entries[0], 'objectClass')).toEqual(['top', 'organization']);
    for (const [i, entry] of index.entries.entries()) {
      const read = parsed.entries[i + 1];
      expect(text(read, 'objectClass')).toEqual(['top', 'provider']);
      expect(text(read, 'providerName')).toEqual([entry.providerName]);
      expect(text(read, 'providerCertificateHash')).toEqual([entry.providerCertificateHash]);
      expect(read.attrs.get('providerCertificate')).toEqual([Buffer.from(entry.providerCertificate, 'base64')]);
      expect(text(read, 'mailReceipt')).toEqual([entry.mailReceipt]);
      expect(text(read, 'managedDomains')).toEqual(entry.managedDomains);
      expect(text(read, 'description')).toEqual([entry.description]);
      // the certificate as read back from the LDIF is one openssl accepts, with the listed hash
      expect(opensslSha1(read.attrs.get('providerCertificate')![0])).toBe(entry.providerCertificateHash);
    }
  });

  it('follows RFC 2849 line rules: 76-octet folding, base64 for binary, schema header comment', () => {
    const ldif = toLdif(index, 'o=postacert', { includeBase: false });
    const lines = ldif.split('\n');
    expect(lines.every((line) => Buffer.byteLength(line) <= 76)).toBe(true);
    expect(lines.filter((line) => line.startsWith(' ')).length).toBeGreaterThan(20);
    expect(lines.some((line) => line.startsWith('providerCertificate:: MII'))).toBe(true);
    expect(lines.some((line) => line.startsWith('providerCertificate: '))).toBe(false);
    expect(ldif).toMatch(/^# .*\n(#.*\n)*version: 1\ndn: providerName=Alfa/);
    expect(ldif).toContain('1.3.6.1.4.1.16572.2.1.2');
    expect(ldif).toContain('1.3.6.1.4.1.16572.2.2.1');
    expect(ldif.endsWith('\n')).toBe(true);
    expect(readLdif(ldif).entries).toHaveLength(2);
  });

  it('publishes LDIFLocationURL when asked, under another base DN', () => {
    const withUrl = buildIndex(topology, certsOf(pki), { ldifLocationUrl: 'http://127.0.0.1:2080/igpec.ldif' });
    const parsed = readLdif(toLdif(withUrl, 'ou=indice,o=test'));
    expect(parsed.entries.map((e) => e.dn)).toEqual([
      'providerName=Alfa PEC S.p.A. (TEST),ou=indice,o=test',
      'providerName=Beta Certificata S.r.l. (TEST),ou=indice,o=test',
    ]);
    expect(text(parsed.entries[0], 'LDIFLocationURL')).toEqual(['http://127.0.0.1:2080/igpec.ldif']);
  });
});

describe('names that need escaping', () => {
  it('writes non-ASCII names as base64 and escapes DN specials', () => {
    const { topology } = parseScenario(`
gestori:
  - { id: gamma, name: "Società Gamma, PEC S.p.A.", domains: [pec.gamma.test] }
`, 'gamma.yaml');
    const pki = pkiFor(topology, join(dir, 'certs-gamma'));
    const index = buildIndex(topology, certsOf(pki));
    const ldif = toLdif(index);
    expect(ldif).toMatch(/\ndn:: /);
    expect(ldif).toMatch(/\nproviderName:: /);
    const entry = readLdif(ldif).entries[1];
    expect(entry.dn).toBe('providerName=Società Gamma\\, PEC S.p.A.,o=postacert');
    expect(entry.dn).toBe(providerDn(index.entries[0]));
    expect(text(entry, 'providerName')).toEqual(['Società Gamma, PEC S.p.A.']);
  });
});

describe('LDIF value rules', () => {
  it('writes safe strings as text and everything else as base64', () => {
    expect(attributeLine('description', 'plain text')).toBe('description: plain text');
    expect(attributeLine('description', '')).toBe('description:');
    for (const unsafe of [' leading space', ':colon', '<less-than', 'trailing space ', 'line\nbreak', 'caffè', 'nul\0']) {
      const line = attributeLine('description', unsafe);
      expect(line.startsWith('description:: ')).toBe(true);
      expect(Buffer.from(line.slice('description:: '.length), 'base64').toString('utf8')).toBe(unsafe);
    }
    expect(attributeLine('providerCertificate', new Uint8Array([0x30, 0x82]))).toBe('providerCertificate:: MII=');
  });

  it('folds at 76 octets without splitting a UTF-8 character', () => {
    const long = `description: ${'x'.repeat(200)}`;
    const folded = foldLine(long).split('\n');
    expect(folded[0]).toHaveLength(76);
    expect(folded.slice(1).every((l) => l.startsWith(' ') && l.length <= 76)).toBe(true);
    expect(folded.map((l, i) => (i === 0 ? l : l.slice(1))).join('')).toBe(long);
    const accented = `# ${'è'.repeat(100)}`;
    const parts = foldLine(accented).split('\n');
    expect(parts.every((l) => Buffer.byteLength(l) <= 76)).toBe(true);
    expect(parts.map((l, i) => (i === 0 ? l : l.slice(1))).join('')).toBe(accented);
    expect(foldLine('short')).toBe('short');
  });
});
