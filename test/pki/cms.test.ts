// Detached CMS: what signDetached writes is accepted by openssl (cms and smime, default S/MIME
// purpose), tampering is caught by both openssl and verifyDetached, verifyDetached accepts what
// openssl itself signs, judges validity at signingTime, and never throws on garbage.

import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Signer } from '../../src/pec/types.js';
import {
  createCa, issueSigner, normaliseP7s, privateKeyToPem, signDetached, verifyDetached, type CertificateAuthority,
} from '../../src/pki/index.js';
import { openssl, tempDir, writeTemp } from './helpers.js';

const alfa = { id: 'alfa', name: 'Alfa PEC S.p.A. (TEST)', mailDomain: 'pec.alfa.test' };
const content = Buffer.from(
  'Content-Type: multipart/mixed; boundary="inner"\r\n\r\n--inner\r\n' +
    'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' +
    'Ricevuta di accettazione: il messaggio è stato accettato dal sistema.\r\n--inner--\r\n',
);
const signingTime = new Date('2025-03-14T09:26:53Z');

let dir: string;
let ca: CertificateAuthority;
let signer: Signer;
let caFile: string;
let contentFile: string;

beforeAll(() => {
  dir = tempDir('pec-cms-test-');
  ca = createCa({ notBefore: new Date('2024-01-01T00:00:00Z') });
  signer = issueSigner(ca, alfa, { notBefore: new Date('2024-06-01T00:00:00Z') });
  caFile = writeTemp(dir, 'ca.pem', ca.certPem);
  contentFile = writeTemp(dir, 'content.bin', content);
});

const trusted = () => ({ trustedCaPem: [ca.certPem] });

/** openssl cms -verify of a detached DER signature over `data`. */
function opensslCmsVerify(p7s: Buffer, data: Buffer = content, extra: string[] = []) {
  const p7sFile = writeTemp(dir, `sig-${randomBytes(4).toString('hex')}.der`, p7s);
  const dataFile = data === content ? contentFile : writeTemp(dir, `data-${randomBytes(4).toString('hex')}.bin`, data);
  return openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', p7sFile, '-content', dataFile,
    '-CAfile', caFile, '-purpose', 'any', '-out', '/dev/null', ...extra]);
}

/** A minimal S/MIME multipart/signed with CRLF lines, as PEC messages are. */
function multipartSigned(data: Buffer, p7s: Buffer, micalg: string): Buffer {
  const base64 = p7s.toString('base64').match(/.{1,76}/g)!.join('\r\n');
  return Buffer.concat([
    Buffer.from('MIME-Version: 1.0\r\nContent-Type: multipart/signed; protocol="application/pkcs7-signature"; ' +
      `micalg=${micalg}; boundary="outer"\r\n\r\nThis is an S/MIME signed message\r\n\r\n--outer\r\n`),
    data,
    Buffer.from('\r\n--outer\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\n' +
      'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="smime.p7s"\r\n\r\n' +
      `${base64}\r\n\r\n--outer--\r\n`),
  ]);
}

/** openssl's -attime: the signature is judged as of signingTime, like an archived receipt. */
const atSigningTime = (date = signingTime) => ['-attime', String(Math.floor(date.getTime() / 1000))];

describe('signDetached', () => {
  it('writes a DER SignedData that openssl cms -verify accepts', () => {
    const p7s = signDetached(content, signer, { digest: 'sha-256', signingTime });
    expect(p7s[0]).toBe(0x30);
    const run = opensslCmsVerify(p7s, content, atSigningTime());
    expect(run.stderr).toContain('Verification successful');
    expect(run.status).toBe(0);
  });

  it('passes openssl smime -verify with the default S/MIME purpose, inside a CRLF multipart/signed', () => {
    for (const digest of ['sha-256', 'sha1'] as const) {
      const p7s = signDetached(content, signer, { digest, signingTime });
      const eml = writeTemp(dir, `message-${digest}.eml`, multipartSigned(content, p7s, digest));
      const run = openssl(['smime', '-verify', '-in', eml, '-CAfile', caFile, '-out', '/dev/null', ...atSigningTime()]);
      expect(run.stderr, digest).toContain('Verification successful');
      expect(run.status, digest).toBe(0);
    }
  });

  it('puts contentType, signingTime, messageDigest in that order, with the digest and time asked for', () => {
    for (const [digest, name] of [['sha-256', 'sha256'], ['sha1', 'sha1']] as const) {
      const p7s = signDetached(content, signer, { digest, signingTime });
      const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER'], p7s).stdout;
      const signed = printed.slice(printed.indexOf('signedAttrs:'), printed.indexOf('signatureAlgorithm:', printed.indexOf('signedAttrs:')));
      const order = [...signed.matchAll(/object: (\w+)/g)].map((m) => m[1]);
      expect(order).toEqual(['contentType', 'signingTime', 'messageDigest']);
      expect(signed).toContain('UTCTIME:Mar 14 09:26:53 2025 GMT');
      expect(printed).toMatch(new RegExp(`digestAlgorithm:\\s+algorithm: ${name} `));
      expect(printed).toMatch(/signatureAlgorithm:\s+algorithm: rsaEncryption/);
      expect(opensslCmsVerify(p7s, content, atSigningTime()).status, digest).toBe(0);
    }
  });

  it('embeds the signer certificate and the chain', () => {
    const p7s = signDetached(content, signer, { digest: 'sha-256', signingTime });
    const certs = openssl(['pkcs7', '-inform', 'DER', '-print_certs', '-noout'], p7s).stdout;
    const subjects = [...certs.matchAll(/subject=(.*)/g)].map((m) => m[1]).sort();
    expect(subjects).toEqual([
      'C = IT, O = Alfa PEC S.p.A. (TEST), CN = Posta Certificata Alfa PEC S.p.A. (TEST)',
      'C = IT, O = PEC Testbed, CN = PEC Testbed Root CA - TEST ONLY',
    ]);
  });

  it('writes canonical DER: openssl re-encoding it changes no byte', () => {
    for (const digest of ['sha-256', 'sha1'] as const) {
      const p7s = signDetached(content, signer, { digest, signingTime });
      const reencoded = openssl(['cms', '-cmsout', '-inform', 'DER', '-outform', 'PEM'], p7s).stdout;
      expect(normaliseP7s(reencoded).equals(p7s), digest).toBe(true);
    }
  });

  it('writes signingTime from 2050 on as GeneralizedTime, which openssl still verifies', () => {
    const late = new Date('2055-05-05T05:05:05Z');
    const longCa = createCa({ notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2060-01-01T00:00:00Z') });
    const longSigner = issueSigner(longCa, alfa, { notBefore: new Date('2054-01-01T00:00:00Z'), notAfter: new Date('2056-01-01T00:00:00Z') });
    const p7s = signDetached(content, longSigner, { digest: 'sha-256', signingTime: late });
    const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER'], p7s).stdout;
    expect(printed).toContain('GENERALIZEDTIME:May  5 05:05:05 2055 GMT');
    const longCaFile = writeTemp(dir, 'long-ca.pem', longCa.certPem);
    const p7sFile = writeTemp(dir, 'late.der', p7s);
    const run = openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', p7sFile, '-content', contentFile,
      '-CAfile', longCaFile, '-purpose', 'any', '-out', '/dev/null', ...atSigningTime(late)]);
    expect(run.status, run.stderr).toBe(0);
    const verdict = verifyDetached(content, p7s, { trustedCaPem: [longCa.certPem] });
    expect(verdict.signingTime?.toISOString()).toBe('2055-05-05T05:05:05.000Z');
    expect(verdict.ok).toBe(true);
  });
});

describe('verifyDetached', () => {
  it('accepts its own signature and reports signer, digest and signingTime', () => {
    const p7s = signDetached(content, signer, { digest: 'sha-256', signingTime });
    const verdict = verifyDetached(content, p7s, trusted());
    expect(verdict.errors).toEqual([]);
    expect(verdict).toMatchObject({
      ok: true, signatureValid: true, digestValid: true, chainValid: true, validAtSigningTime: true,
      digestAlgorithm: 'sha-256',
    });
    expect(verdict.signingTime?.toISOString()).toBe('2025-03-14T09:26:53.000Z');
    expect(verdict.signer?.subject).toBe('CN=Posta Certificata Alfa PEC S.p.A. (TEST), O=Alfa PEC S.p.A. (TEST), C=IT');
    expect(verdict.signer?.email).toBe('posta-certificata@pec.alfa.test');
    const fingerprint = openssl(['x509', '-noout', '-fingerprint', '-sha1'], signer.certPem).stdout.split('=')[1].trim();
    expect(verdict.signer?.fingerprintSha1).toBe(fingerprint.replace(/:/g, '').toLowerCase());
    expect(verdict.signer?.certPem).toBe(signer.certPem);
  });

  it('accepts the legacy sha1 dialect', () => {
    const p7s = signDetached(content, signer, { digest: 'sha1', signingTime });
    expect(opensslCmsVerify(p7s, content, atSigningTime()).status).toBe(0);
    const verdict = verifyDetached(content, p7s, trusted());
    expect(verdict.ok).toBe(true);
    expect(verdict.digestAlgorithm).toBe('sha1');
  });

  it('catches one changed byte of content, like openssl does', () => {
    const p7s = signDetached(content, signer, { digest: 'sha-256', signingTime });
    const tampered = Buffer.from(content);
    tampered[tampered.length - 10] ^= 0x01;
    const run = opensslCmsVerify(p7s, tampered, atSigningTime());
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/Verification failure/);
    const verdict = verifyDetached(tampered, p7s, trusted());
    expect(verdict.ok).toBe(false);
    expect(verdict.digestValid).toBe(false);
    expect(verdict.signatureValid).toBe(true);
    expect(verdict.errors.join('\n')).toMatch(/messageDigest does not match/);
  });

  it('catches one changed byte of the signature, like openssl does', () => {
    const p7s = signDetached(content, signer, { digest: 'sha-256', signingTime });
    const tampered = Buffer.from(p7s);
    tampered[tampered.length - 5] ^= 0x01; // inside the RSA signature, the last field
    const run = opensslCmsVerify(tampered, content, atSigningTime());
    expect(run.status).not.toBe(0);
    const verdict = verifyDetached(content, tampered, trusted());
    expect(verdict.ok).toBe(false);
    expect(verdict.signatureValid).toBe(false);
    expect(verdict.digestValid).toBe(true);
  });

  it('accepts what openssl signs: sha256 and sha1, with and without signed attributes', () => {
    const keyFile = writeTemp(dir, 'signer.key', privateKeyToPem(signer.privateKey));
    const certFile = writeTemp(dir, 'signer.pem', signer.certPem);
    const cases: Array<[string[], string, boolean]> = [
      [['-md', 'sha256'], 'sha-256', true],
      [['-md', 'sha1'], 'sha1', true],
      [['-md', 'sha256', '-noattr'], 'sha-256', false],
      // streamed: BER with indefinite lengths, which the verifier reads through forge alone
      [['-md', 'sha256', '-stream'], 'sha-256', true],
    ];
    for (const [flags, digest, hasTime] of cases) {
      const out = `${dir}/openssl-${flags.join('')}.der`;
      const run = openssl(['cms', '-sign', '-binary', '-in', contentFile, '-signer', certFile, '-inkey', keyFile,
        '-certfile', caFile, '-outform', 'DER', '-out', out, ...flags]);
      expect(run.status, run.stderr).toBe(0);
      const p7s = openssl(['base64', '-A', '-in', out]).stdout; // also exercises the base64 input form
      const verdict = verifyDetached(content, p7s, trusted());
      const label = flags.join(' ');
      if (hasTime) {
        expect(verdict.errors, label).toEqual([]);
        expect(verdict.ok, label).toBe(true);
      } else {
        // no signingTime: validity needs a reference time from the caller
        expect(verdict.signatureValid && verdict.digestValid && verdict.chainValid, label).toBe(true);
        expect(verdict.validAtSigningTime, label).toBe(false);
        expect(verifyDetached(content, p7s, { ...trusted(), at: new Date() }).ok, label).toBe(true);
        const tampered = Buffer.concat([content, Buffer.from(' ')]);
        expect(verifyDetached(tampered, p7s, { ...trusted(), at: new Date() }).ok, label).toBe(false);
      }
      expect(verdict.digestAlgorithm, label).toBe(digest);
    }
  });

  it('takes PEM and base64 as well as DER', () => {
    const p7s = signDetached(content, signer, { digest: 'sha-256', signingTime });
    const pem = openssl(['cms', '-cmsout', '-inform', 'DER', '-outform', 'PEM'], p7s).stdout;
    expect(pem).toContain('-----BEGIN CMS-----');
    expect(verifyDetached(content, pem, trusted()).ok).toBe(true);
    expect(verifyDetached(content, Buffer.from(p7s.toString('base64').replace(/.{64}/g, '$&\r\n')), trusted()).ok).toBe(true);
  });

  it('never throws on garbage and says why it refused', () => {
    const p7s = signDetached(content, signer, { digest: 'sha-256', signingTime });
    const inputs: Array<Buffer | string> = [
      Buffer.alloc(0), randomBytes(300), Buffer.from([0x30, 0x82, 0xff, 0xff, 0x01]), p7s.subarray(0, p7s.length / 2),
      'not base64 at all!', signer.certPem, Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]),
    ];
    for (const input of inputs) {
      const verdict = verifyDetached(content, input, trusted());
      expect(verdict.ok).toBe(false);
      expect(verdict.signatureValid).toBe(false);
      expect(verdict.errors.length).toBeGreaterThan(0);
    }
    expect(verifyDetached(content, p7s, { trustedCaPem: ['garbage'] }).errors.join()).toMatch(/trusted CA/);
  });

  it('judges validity at signingTime: a signer expired today still verifies an old receipt', () => {
    const expired = issueSigner(ca, alfa, {
      notBefore: new Date('2024-02-01T00:00:00Z'), notAfter: new Date('2025-02-01T00:00:00Z'),
    });
    const oldTime = new Date('2024-09-10T12:00:00Z');
    const p7s = signDetached(content, expired, { digest: 'sha-256', signingTime: oldTime });
    const verdict = verifyDetached(content, p7s, trusted());
    expect(verdict.errors).toEqual([]);
    expect(verdict.validAtSigningTime).toBe(true);
    expect(verdict.ok).toBe(true);
    expect(opensslCmsVerify(p7s, content, atSigningTime(oldTime)).status).toBe(0);
    // openssl judging at the present time refuses it: the certificate is expired now
    expect(opensslCmsVerify(p7s).stderr).toMatch(/certificate has expired/);

    const afterExpiry = signDetached(content, expired, { digest: 'sha-256', signingTime: new Date('2025-06-01T00:00:00Z') });
    const late = verifyDetached(content, afterExpiry, trusted());
    expect(late.validAtSigningTime).toBe(false);
    expect(late.signatureValid && late.digestValid && late.chainValid).toBe(true);
    expect(late.ok).toBe(false);
    expect(late.errors.join()).toMatch(/was not valid at 2025-06-01/);
  });

  it('refuses a signer of a foreign CA: chainValid false, for openssl too', () => {
    const foreignCa = createCa({ commonName: 'Some Other Root', organization: 'Elsewhere' });
    const foreign = issueSigner(foreignCa, alfa);
    const p7s = signDetached(content, foreign, { digest: 'sha-256', signingTime: new Date() });
    const verdict = verifyDetached(content, p7s, trusted());
    expect(verdict.signatureValid).toBe(true);
    expect(verdict.digestValid).toBe(true);
    expect(verdict.chainValid).toBe(false);
    expect(verdict.ok).toBe(false);
    expect(verdict.errors.join()).toMatch(/does not chain to a trusted CA/);
    expect(opensslCmsVerify(p7s).status).not.toBe(0);
    // trusting both roots (a bundle) accepts it
    expect(verifyDetached(content, p7s, { trustedCaPem: [ca.certPem + foreignCa.certPem] }).ok).toBe(true);
  });

  it('refuses a certificate that merely copies the trusted root\'s name', () => {
    const impostorRoot = createCa(); // same subject as `ca`, another key
    const impostor = issueSigner(impostorRoot, alfa);
    const p7s = signDetached(content, impostor, { digest: 'sha-256', signingTime: new Date() });
    expect(verifyDetached(content, p7s, trusted()).chainValid).toBe(false);
  });
});
