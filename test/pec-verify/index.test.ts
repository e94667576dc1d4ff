import { beforeAll, describe, expect, it } from 'vitest';
import { createHash, X509Certificate } from 'node:crypto';
import { buildPecMessage } from '../../src/pec/build.js';
import { standard } from '../../src/pec/dialects.js';
import { seededIds } from '../../src/pec/ids.js';
import { extractFacts, readOriginal } from '../../src/pec/original.js';
import type { Signer } from '../../src/pec/types.js';
import { readProviderIndex } from '../../src/pec/verify-index.js';
import { verifyPec } from '../../src/pec/verify.js';
import { createCa, issueSigner, type CertificateAuthority } from '../../src/pki/issue.js';
import { toLdifText } from '../../src/topology/ldif.js';
import { protocolMessage } from '../../src/fixtures/sample-original.js';

let ca: CertificateAuthority;
let alfa: Signer;
let beta: Signer;
let accettazione: Buffer;

const der = (pem: string) => new X509Certificate(pem).raw;
const sha1 = (pem: string) => createHash('sha1').update(der(pem)).digest('hex');

beforeAll(async () => {
  ca = createCa();
  alfa = issueSigner(ca, { id: 'alfa', name: 'Alfa PEC S.p.A. (TEST)', mailDomain: 'pec.alfa.test' });
  beta = issueSigner(ca, { id: 'beta', name: 'Beta Certificata S.r.l. (TEST)', mailDomain: 'pec.beta.test' });
  const original = protocolMessage({ date: 'Thu, 15 Jan 2026 10:29:58 +0100', messageId: '<index@pec.comune-giardinello.test>' });
  const facts = extractFacts(readOriginal(original), 'opec1.20260115103000.1.01.1.1@pec.alfa.test', () => 'certificato');
  const gestore = { id: 'alfa', name: 'Alfa PEC S.p.A. (TEST)', mailDomain: 'pec.alfa.test', dialect: standard, signer: alfa };
  accettazione = (await buildPecMessage({ gestore, at: Date.now(), ids: seededIds('index') }, { kind: 'accettazione', facts, to: facts.mittente })).raw;
});

function ldif(entries: Array<{ name: string; cert: string; withHash: boolean; domains: string[] }>): string {
  return toLdifText(
    entries.map((e) => ({
      dn: `providerName=${e.name},o=postacert`,
      attributes: [
        ['objectClass', 'provider'],
        ['providerName', e.name],
        ...(e.withHash ? [['providerCertificateHash', sha1(e.cert)] as [string, string]] : []),
        ['providerCertificate', der(e.cert)],
        ['mailReceipt', 'posta-certificata@pec.alfa.test'],
        ...e.domains.map((d) => ['managedDomains', d] as [string, string]),
      ],
    })),
    { header: ['a test index'] },
  );
}

describe('providers index for the verifier', () => {
  it('reads LDIF written by the testbed writer (folded lines, base64 certificate), hash or not', () => {
    const text = ldif([
      { name: 'Alfa PEC S.p.A. (TEST)', cert: alfa.certPem, withHash: true, domains: ['pec.alfa.test', 'pec.comune-giardinello.test'] },
      { name: 'Beta Certificata S.r.l. (TEST)', cert: beta.certPem, withHash: false, domains: ['pec.beta.test'] },
    ]);
    expect(text).toMatch(/\n /); // folded
    const index = readProviderIndex(text) as Map<string, { providerName: string; managedDomains: string[] }>;
    expect(index.get(sha1(alfa.certPem))).toEqual({ providerName: 'Alfa PEC S.p.A. (TEST)', managedDomains: ['pec.alfa.test', 'pec.comune-giardinello.test'] });
    expect(index.get(sha1(beta.certPem))?.providerName).toBe('Beta Certificata S.r.l. (TEST)');
  });

  it('reads JSON and refuses a file without providers', () => {
    const index = readProviderIndex(JSON.stringify([{ providerCertificateHash: sha1(alfa.certPem).toUpperCase(), providerName: 'Alfa', managedDomains: ['PEC.ALFA.TEST'] }]));
    expect((index as Map<string, unknown>).get(sha1(alfa.certPem))).toEqual({ providerName: 'Alfa', managedDomains: ['pec.alfa.test'] });
    expect(() => readProviderIndex('version: 1\n')).toThrow(/no provider entries/);
  });

  it('a listed signer managing the From domain passes; an unlisted one fails', () => {
    const listed = readProviderIndex(ldif([{ name: 'Alfa PEC S.p.A. (TEST)', cert: alfa.certPem, withHash: true, domains: ['pec.alfa.test'] }]));
    const ok = verifyPec(accettazione, { trustedCaPem: [ca.certPem], index: listed });
    expect(ok.reasons).toEqual([]);
    expect(ok.checks.find((c) => c.name === 'signer.index')?.detail).toMatch(/Alfa PEC/);

    const onlyBeta = readProviderIndex(ldif([{ name: 'Beta Certificata S.r.l. (TEST)', cert: beta.certPem, withHash: true, domains: ['pec.alfa.test'] }]));
    const bad = verifyPec(accettazione, { trustedCaPem: [ca.certPem], index: onlyBeta });
    expect(bad.valid).toBe(false);
    expect(bad.reasons.join('\n')).toMatch(/signer\.index: fingerprint [0-9a-f]{40} is not a providerCertificateHash/);

    const wrongDomain = readProviderIndex(ldif([{ name: 'Alfa PEC S.p.A. (TEST)', cert: alfa.certPem, withHash: true, domains: ['pec.comune-giardinello.test'] }]));
    const dom = verifyPec(accettazione, { trustedCaPem: [ca.certPem], index: wrongDomain });
    expect(dom.valid).toBe(false);
    expect(dom.reasons.join('\n')).toMatch(/signer\.domain: From domain pec\.alfa\.test is not among/);
  });
});
