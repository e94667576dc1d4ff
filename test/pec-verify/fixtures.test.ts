import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportFixtures, FIXTURE_KINDS, type ManifestEntry } from '../../src/fixtures/export.js';
import { protocolMessage } from '../../src/fixtures/sample-original.js';
import { buildPecMessage } from '../../src/pec/build.js';
import { standard } from '../../src/pec/dialects.js';
import { seededIds } from '../../src/pec/ids.js';
import { acceptOriginal, extractFacts, readOriginal } from '../../src/pec/original.js';
import { nestedMessages, parsePec } from '../../src/pec/parse.js';
import type { Dialect, GestoreIdentity } from '../../src/pec/types.js';
import { verifyPec, type PecVerdict } from '../../src/pec/verify.js';
import { createCa, issueSigner, type CertificateAuthority } from '../../src/pki/issue.js';

let dir: string;
let manifest: ManifestEntry[];
let caPem: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pec-verify-fixtures-'));
  manifest = await exportFixtures(dir, {});
  caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (file: string) => readFileSync(join(dir, file));
const check = (v: PecVerdict, name: string) => v.checks.find((c) => c.name === name);

function opensslVerify(file: string, ca = join(dir, 'ca.pem')): { ok: boolean; stderr: string } {
  const r = spawnSync('openssl', ['smime', '-verify', '-in', file, '-CAfile', ca, '-out', '/dev/null'], { encoding: 'utf8' });
  return { ok: r.status === 0, stderr: r.stderr };
}

describe('fixtures export', () => {
  it('writes manifest.json: every kind once per dialect, four fields each', () => {
    const onDisk = JSON.parse(read('manifest.json').toString('utf8')) as ManifestEntry[];
    expect(onDisk).toEqual(manifest);
    expect(manifest).toHaveLength(2 * FIXTURE_KINDS.length);
    for (const dialect of ['standard', 'legacy']) {
      const kinds = manifest.filter((e) => e.dialect === dialect).map((e) => e.kind);
      expect([...kinds].sort()).toEqual([...FIXTURE_KINDS].sort());
    }
    for (const entry of manifest) {
      expect(Object.keys(entry).sort()).toEqual(['description', 'dialect', 'file', 'kind']);
      expect(entry.file).toBe(`${entry.dialect}/${entry.kind}.eml`);
      expect(entry.description.length).toBeGreaterThan(20);
    }
    expect(readdirSync(dir).sort()).toEqual(['ca.pem', 'daticert.dtd', 'legacy', 'manifest.json', 'standard']);
    // no private key in the pack
    for (const name of ['ca.pem', ...manifest.map((e) => e.file)]) expect(read(name).toString('latin1')).not.toMatch(/PRIVATE KEY/);
  });

  it('the 15 kinds are exactly the documented names', () => {
    expect(FIXTURE_KINDS).toEqual([
      'accettazione', 'non-accettazione', 'non-accettazione-virus', 'posta-certificata', 'presa-in-carico', 'anomalia',
      'rilevazione-virus', 'errore-consegna-virus', 'avvenuta-consegna-completa', 'avvenuta-consegna-breve',
      'avvenuta-consegna-sintetica', 'errore-consegna-no-dest', 'errore-consegna-no-dominio', 'preavviso-12h', 'errore-24h',
    ]);
  });

  it('every sample passes openssl smime -verify against the pack ca.pem', () => {
    for (const entry of manifest) {
      const r = opensslVerify(join(dir, entry.file));
      expect(r.ok, `${entry.file}: ${r.stderr}`).toBe(true);
    }
  });

  it('every daticert.xml passes xmllint --dtdvalid daticert.dtd (anomalia has none)', () => {
    for (const entry of manifest) {
      const parsed = parsePec(read(entry.file));
      if (entry.kind === 'anomalia') {
        expect(parsed.daticertXml, entry.file).toBeNull();
        continue;
      }
      expect(parsed.daticertXml, entry.file).not.toBeNull();
      const xml = join(dir, `${entry.dialect}-${entry.kind}.daticert.xml`);
      writeFileSync(xml, parsed.daticertXml!);
      const r = spawnSync('xmllint', ['--noout', '--dtdvalid', join(dir, 'daticert.dtd'), xml], { encoding: 'utf8' });
      rmSync(xml);
      expect(r.status, `${entry.file}: ${r.stderr}`).toBe(0);
    }
  });

  it('verifyPec says valid, with the manifest kind, for every sample', () => {
    for (const entry of manifest) {
      const v = verifyPec(read(entry.file), { trustedCaPem: [caPem] });
      expect(v.reasons, entry.file).toEqual([]);
      expect(v.valid, entry.file).toBe(true);
      expect(v.variant, entry.file).toBe(entry.kind);
      expect(v.signature.algorithm, entry.file).toBe(entry.dialect === 'legacy' ? 'sha1' : 'sha-256');
      expect(v.signature.chainValid && v.signature.validAtSigningTime, entry.file).toBe(true);
    }
  });

  it('carries the realistic original: subject, parties, PDF attachment', () => {
    const busta = parsePec(read('standard/posta-certificata.eml'));
    expect(busta.daticert?.oggetto).toBe('Protocollo n. 1234/2026 — Richiesta di accesso agli atti (àèìòù)');
    expect(busta.daticert?.destinatari).toEqual([
      { address: 'protocollo@pec.comune-mineo.test', tipo: 'certificato' },
      { address: 'cittadino@posta.ordinaria.test', tipo: 'esterno' },
      { address: 'mario.rossi@pec.beta.test', tipo: 'certificato' },
    ]);
    expect(busta.daticert?.gestoreEmittente).toBe('Alfa PEC S.p.A. (TEST)');
    const original = busta.postacert!.parsed;
    expect(original.from?.address).toBe('protocollo@pec.comune-giardinello.test');
    expect(original.attachments).toEqual([expect.objectContaining({ filename: 'richiesta-accesso-atti-1234-2026.pdf', mediaType: 'application/pdf' })]);
    expect(busta.ids.messageId).toBe(`<${busta.daticert?.identificativo}>`);
    const consegna = parsePec(read('standard/avvenuta-consegna-completa.eml'));
    expect(consegna.daticert?.gestoreEmittente).toBe('Beta Certificata S.r.l. (TEST)');
    expect(consegna.ids.riferimentoMessageId).toBe(consegna.daticert?.msgid);
  });
});

describe('verifying altered fixtures', () => {
  it('one changed byte in the signed body: openssl fails, verifyPec invalid with a digest reason', () => {
    for (const file of ['standard/avvenuta-consegna-completa.eml', 'legacy/accettazione.eml']) {
      const raw = read(file);
      const at = raw.indexOf('Identificativo del messaggio');
      const tampered = Buffer.from(raw);
      tampered[at] = 'i'.charCodeAt(0);
      const path = join(dir, 'tampered.eml');
      writeFileSync(path, tampered);
      expect(opensslVerify(path).ok, file).toBe(false);
      const v = verifyPec(tampered, { trustedCaPem: [caPem] });
      expect(v.valid, file).toBe(false);
      expect(v.reasons.join('\n'), file).toMatch(/signature\.digest: content digest mismatch/);
    }
  });

  it('a changed outer Subject keeps the signature valid but fails the daticert consistency check', () => {
    const raw = read('standard/accettazione.eml').toString('latin1');
    const tampered = Buffer.from(raw.replace(/^Subject: ACCETTAZIONE: Protocollo n\. 1234\/2026/m, 'Subject: ACCETTAZIONE: Protocollo n. 4321/2026'), 'latin1');
    expect(tampered.equals(read('standard/accettazione.eml'))).toBe(false);
    const path = join(dir, 'subject.eml');
    writeFileSync(path, tampered);
    expect(opensslVerify(path).ok).toBe(true);
    const v = verifyPec(tampered, { trustedCaPem: [caPem] });
    expect(v.signature.valid).toBe(true);
    expect(v.valid).toBe(false);
    expect(check(v, 'daticert.oggetto-vs-subject')?.ok).toBe(false);
  });

  it('LF-only copies still verify, with a canonicalisation note', () => {
    for (const entry of manifest) {
      const lf = Buffer.from(read(entry.file).toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
      const v = verifyPec(lf, { trustedCaPem: [caPem] });
      expect(v.reasons, entry.file).toEqual([]);
      expect(v.variant, entry.file).toBe(entry.kind);
      expect(v.signature.canonicalised, entry.file).toBe(true);
      expect(check(v, 'signature.canonicalisation')?.detail, entry.file).toMatch(/LF-only/);
    }
  });

  it('another CA: invalid, untrusted chain', () => {
    const foreign = createCa({ commonName: 'Some Other Root' });
    const path = join(dir, 'foreign-ca.pem');
    writeFileSync(path, foreign.certPem);
    expect(opensslVerify(join(dir, 'standard/presa-in-carico.eml'), path).ok).toBe(false);
    const v = verifyPec(read('standard/presa-in-carico.eml'), { trustedCaPem: [foreign.certPem] });
    expect(v.valid).toBe(false);
    expect(v.signature.valid).toBe(true);
    expect(v.signature.chainValid).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/untrusted/);
  });

  it('truncated samples are invalid, never a crash', () => {
    const raw = read('standard/posta-certificata.eml');
    for (const cut of [0.1, 0.5, 0.9, 0.999]) {
      const v = verifyPec(raw.subarray(0, Math.floor(raw.length * cut)), { trustedCaPem: [caPem] });
      expect(v.valid, `cut ${cut}`).toBe(false);
      expect(v.reasons.length, `cut ${cut}`).toBeGreaterThan(0);
    }
  });
});

describe('builder variants', () => {
  let ca: CertificateAuthority;
  // certificates of summer 2026 only: long expired when an archive is checked later
  const validity = { notBefore: new Date('2026-06-01T00:00:00Z'), notAfter: new Date('2026-08-01T00:00:00Z') };
  const gestore = (dialect: Dialect, id: 'alfa' | 'beta' = 'beta'): GestoreIdentity => {
    const name = id === 'alfa' ? 'Alfa PEC S.p.A. (TEST)' : 'Beta Certificata S.r.l. (TEST)';
    const mailDomain = `pec.${id}.test`;
    return { id, name, mailDomain, dialect, signer: issueSigner(ca, { id, name, mailDomain }, validity) };
  };
  const at = Date.parse('2026-07-01T09:00:00Z'); // summer time: zona +0200
  const original = protocolMessage({ date: 'Wed, 1 Jul 2026 11:00:00 +0200', messageId: '<variant@pec.comune-giardinello.test>' });
  const identificativo = 'opec9.20260701110000.1234.01.1.1@pec.alfa.test';
  const facts = extractFacts(readOriginal(original), identificativo, (a) => (a.endsWith('posta.ordinaria.test') ? 'esterno' : 'certificato'));
  const accepted = acceptOriginal(original, identificativo).accepted;

  beforeAll(() => {
    ca = createCa({ notBefore: new Date('2026-01-01T00:00:00Z') });
  });

  it('checks certificate validity at signingTime, not now', async () => {
    const request = { kind: 'accettazione' as const, facts, to: facts.mittente };
    const inTime = await buildPecMessage({ gestore: gestore(standard, 'alfa'), at, ids: seededIds('t1') }, request);
    const v = verifyPec(inTime.raw, { trustedCaPem: [ca.certPem] });
    expect(v.valid).toBe(true);
    expect(v.signature.signingTime).toBe('2026-07-01T09:00:00.000Z');
    const late = await buildPecMessage({ gestore: gestore(standard, 'alfa'), at: Date.parse('2026-09-01T09:00:00Z'), ids: seededIds('t2') }, request);
    const w = verifyPec(late.raw, { trustedCaPem: [ca.certPem] });
    expect(w.valid).toBe(false);
    expect(w.signature.validAtSigningTime).toBe(false);
    expect(w.reasons.join('\n')).toMatch(/signature\.validity: .*not valid at 2026-09-01/);
  });

  it('a daticert without msgid is tolerated with a warning', async () => {
    const built = await buildPecMessage({ gestore: gestore(standard), at, ids: seededIds('msgid') }, {
      kind: 'avvenuta-consegna', facts, to: facts.mittente, consegna: 'protocollo@pec.comune-mineo.test', original: accepted, omitMsgid: true,
    });
    const v = verifyPec(built.raw, { trustedCaPem: [ca.certPem] });
    expect(v.reasons).toEqual([]);
    expect(v.valid).toBe(true);
    expect(v.ids.msgid).toBeNull();
    expect(check(v, 'ids.msgid-vs-riferimento')).toMatchObject({ ok: true, warning: true });
    expect(v.daticert?.data.zona).toBe('+0200');
  });

  it('the 24 h notice written as errore-consegna (dialect) is still errore-24h', async () => {
    const built = await buildPecMessage({ gestore: gestore({ ...standard, notice24hTipo: 'errore-consegna' }, 'alfa'), at, ids: seededIds('24h') }, {
      kind: 'errore-24h', facts, to: facts.mittente, consegna: 'protocollo@pec.comune-mineo.test',
    });
    const v = verifyPec(built.raw, { trustedCaPem: [ca.certPem] });
    expect(v.reasons).toEqual([]);
    expect(v.kind).toBe('errore-24h');
    expect(v.daticert?.tipo).toBe('errore-consegna');
  });

  it('a forwarded PEC inside a busta: nested postacert extracted and verifiable', async () => {
    const forwardedBusta = read('standard/posta-certificata.eml');
    const forward = Buffer.concat([
      Buffer.from([
        'From: protocollo@pec.comune-mineo.test',
        'To: suap@pec.comune-giardinello.test',
        'Subject: I: POSTA CERTIFICATA: Protocollo n. 1234/2026',
        'Message-ID: <forward-1@pec.comune-mineo.test>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="fwd-boundary"',
        '',
        '--fwd-boundary',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Si inoltra la PEC ricevuta.',
        '--fwd-boundary',
        'Content-Type: message/rfc822; name="postacert.eml"',
        'Content-Disposition: attachment; filename="POSTA CERTIFICATA Protocollo n. 1234.eml"',
        '',
        '',
      ].join('\r\n')),
      forwardedBusta,
      Buffer.from('\r\n--fwd-boundary--\r\n'),
    ]);
    const fwdId = 'opec10.20260701110000.1234.01.1.2@pec.beta.test';
    const fwdFacts = extractFacts(readOriginal(forward), fwdId, () => 'certificato');
    const built = await buildPecMessage({ gestore: gestore(standard), at, ids: seededIds('fwd') }, {
      kind: 'posta-certificata', facts: fwdFacts, to: 'suap@pec.comune-giardinello.test', original: acceptOriginal(forward, fwdId).accepted,
    });
    const outer = verifyPec(built.raw, { trustedCaPem: [ca.certPem] });
    expect(outer.reasons).toEqual([]);
    const parsed = parsePec(built.raw);
    const nested = nestedMessages(parsed);
    expect(nested.map((m) => m.parsed.kind)).toEqual([null, 'posta-certificata', null]);
    const inner = nested[1];
    expect(inner.raw.equals(forwardedBusta)).toBe(true);
    const innerVerdict = verifyPec(inner.raw, { trustedCaPem: [caPem] });
    expect(innerVerdict.valid).toBe(true);
    expect(nested[2].parsed.subject).toBe('Protocollo n. 1234/2026 — Richiesta di accesso agli atti (àèìòù)');
  });
});

describe('robustness', () => {
  it('mutated samples never crash the parser or the verifier', () => {
    // deterministic PRNG: a failure is reproducible
    let state = 0x2545f491;
    const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const sources = manifest.filter((e) => e.dialect === 'standard').map((e) => read(e.file));
    for (let round = 0; round < 150; round++) {
      const source = sources[round % sources.length];
      const mutated = Buffer.from(source);
      const operation = round % 3;
      let input: Buffer;
      if (operation === 0) {
        for (let k = 0; k < 1 + Math.floor(next() * 8); k++) mutated[Math.floor(next() * mutated.length)] = Math.floor(next() * 256);
        input = mutated;
      } else if (operation === 1) {
        const a = Math.floor(next() * source.length);
        input = Buffer.concat([source.subarray(0, a), source.subarray(a + Math.floor(next() * 400))]);
      } else {
        const a = Math.floor(next() * source.length);
        input = Buffer.concat([source.subarray(0, a), Buffer.from('\r\n--\r\n\r\n<postacert>&amp;=?utf-8?B?', 'latin1'), source.subarray(a)]);
      }
      const v = verifyPec(input, { trustedCaPem: [caPem] });
      expect(v.checks.find((c) => c.name === 'verifier.internal'), `round ${round}`).toBeUndefined();
      expect(v.problems.filter((p) => p.startsWith('unreadable:')), `round ${round}`).toEqual([]);
      expect(JSON.parse(JSON.stringify(v)).valid).toBe(v.valid);
    }
  });
});
