// The test PKI on disk: the profile of each certificate as openssl reads it, reuse, re-issue on
// change, repair after damage, file modes, and concurrent first use.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_GESTORI, TEST_SIGNING_POLICY_OID, describePki, loadOrCreatePki, type GestoreCertRequest, type TestPki,
} from '../../src/pki/index.js';
import { extensionBlock, openssl, tempDir, x509Text } from './helpers.js';

const gestori: GestoreCertRequest[] = [...DEFAULT_GESTORI];

describe('a new test PKI', () => {
  let dir: string;
  let pki: TestPki;

  beforeAll(() => {
    dir = path.join(tempDir(), 'certs'); // not existing yet: created on first use
    pki = loadOrCreatePki({ dir, gestori });
  });

  it('writes the CA, one certificate per gestore and the TLS pair, keys readable by the owner only', () => {
    const names = fs.readdirSync(dir).sort();
    expect(names).toEqual([
      'ca.key', 'ca.pem', 'gestore-alfa.key', 'gestore-alfa.pem', 'gestore-beta.key', 'gestore-beta.pem',
      'tls.key', 'tls.pem',
    ]);
    for (const key of names.filter((name) => name.endsWith('.key'))) {
      expect(fs.statSync(path.join(dir, key)).mode & 0o777, key).toBe(0o600);
    }
    expect(pki.issued).toEqual(['ca', 'gestore:alfa', 'gestore:beta', 'tls']);
    expect(pki.caPath).toBe(path.join(dir, 'ca.pem'));
    expect(fs.readFileSync(pki.caPath, 'utf8')).toBe(pki.caCertPem);
  });

  it('has every certificate verify against ca.pem with openssl, for its purpose', () => {
    const files = ['ca.pem', 'gestore-alfa.pem', 'gestore-beta.pem', 'tls.pem'].map((name) => path.join(dir, name));
    const all = openssl(['verify', '-CAfile', pki.caPath, ...files]);
    expect(all.stderr).toBe('');
    expect(all.status).toBe(0);
    const smime = openssl(['verify', '-purpose', 'smimesign', '-CAfile', pki.caPath, files[1], files[2]]);
    expect(smime.status, smime.stderr).toBe(0);
    const server = openssl(['verify', '-purpose', 'sslserver', '-CAfile', pki.caPath, files[3]]);
    expect(server.status, server.stderr).toBe(0);
  });

  it('makes a root CA with critical basicConstraints and keyUsage', () => {
    const text = x509Text(pki.caCertPem);
    expect(text).toMatch(/Subject: C = IT, O = PEC Testbed, CN = PEC Testbed Root CA - TEST ONLY/);
    expect(text).toMatch(/Issuer: C = IT, O = PEC Testbed, CN = PEC Testbed Root CA - TEST ONLY/);
    expect(text).toContain('Public-Key: (2048 bit)');
    expect(extensionBlock(text, 'Basic Constraints')).toMatch(/critical\s+CA:TRUE/);
    expect(extensionBlock(text, 'Key Usage')).toMatch(/critical\s+Certificate Sign, CRL Sign/);
    expect(text).toContain('X509v3 Subject Key Identifier');
    const days = (notAfter(pki.caCertPem) - notBefore(pki.caCertPem)) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(3650);
  });

  it('gives each gestore the signing profile of pec-rules §4', () => {
    const text = x509Text(pki.signers.get('alfa')!.certPem);
    expect(text).toMatch(/Subject: C = IT, O = Alfa PEC S.p.A. \(TEST\), CN = Posta Certificata Alfa PEC S.p.A. \(TEST\)/);
    expect(text).toMatch(/Issuer: C = IT, O = PEC Testbed, CN = PEC Testbed Root CA - TEST ONLY/);
    expect(text).toContain('Public-Key: (2048 bit)');
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(extensionBlock(text, 'X509v3 Key Usage')).toMatch(/critical\s+Digital Signature\s*$/);
    expect(extensionBlock(text, 'Extended Key Usage')).toMatch(/E-mail Protection/);
    expect(extensionBlock(text, 'Subject Alternative Name')).toMatch(/email:posta-certificata@pec\.alfa\.test/);
    expect(extensionBlock(text, 'Certificate Policies')).toContain(`Policy: ${TEST_SIGNING_POLICY_OID}`);
    expect(text).toContain('X509v3 Subject Key Identifier');
    // AKI of the leaf = SKI of the root
    const caSki = extensionBlock(x509Text(pki.caCertPem), 'Subject Key Identifier').split('\n')[1].trim();
    expect(extensionBlock(text, 'Authority Key Identifier')).toContain(caSki);

    const beta = x509Text(pki.signers.get('beta')!.certPem);
    expect(beta).toMatch(/CN = Posta Certificata Beta Certificata S.r.l. \(TEST\)/);
    expect(beta).toMatch(/email:posta-certificata@pec\.beta\.test/);
  });

  it('starts validity a day in the past and lasts about three years', () => {
    const pem = pki.signers.get('alfa')!.certPem;
    expect(notBefore(pem)).toBeLessThan(Date.now() - 23 * 3_600_000);
    const years = (notAfter(pem) - notBefore(pem)) / (365 * 86_400_000);
    expect(years).toBeCloseTo(3, 1);
  });

  it('exposes signers with the root as chain and the index fingerprint openssl computes', () => {
    const signer = pki.signers.get('alfa')!;
    expect(signer.chainPem).toEqual([pki.caCertPem]);
    expect(signer.privateKey.asymmetricKeyType).toBe('rsa');
    const run = openssl(['x509', '-noout', '-fingerprint', '-sha1'], signer.certPem);
    const expected = run.stdout.trim().split('=')[1].replace(/:/g, '').toLowerCase();
    expect(pki.fingerprint('alfa')).toBe(expected);
    expect(pki.fingerprint('alfa')).toMatch(/^[0-9a-f]{40}$/);
    expect(() => pki.fingerprint('gamma')).toThrow(/gamma/);
  });

  it('makes a TLS certificate that a real handshake accepts for loopback and the gestori host names', async () => {
    const text = x509Text(pki.tls.certPem);
    const san = extensionBlock(text, 'Subject Alternative Name');
    for (const name of ['DNS:localhost', 'DNS:pec.alfa.test', 'DNS:*.pec.alfa.test', 'DNS:pec.comune-mineo.test', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1']) {
      expect(san).toContain(name);
    }
    expect(extensionBlock(text, 'Extended Key Usage')).toContain('TLS Web Server Authentication');

    // s_client quits on its own once stdin closes after the handshake
    const server = tls.createServer({ cert: pki.tls.certPem, key: pki.tls.keyPem }, (socket) => socket.on('error', () => {}));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      for (const check of [['-verify_hostname', 'mx.pec.alfa.test'], ['-verify_ip', '127.0.0.1'], ['-verify_hostname', 'localhost']]) {
        const run = await opensslAsync(['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', pki.caPath, '-verify_return_error', ...check, '-brief']);
        expect(run.status, `${check.join(' ')}: ${run.stderr}`).toBe(0);
      }
      const wrong = await opensslAsync(['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', pki.caPath, '-verify_return_error', '-verify_hostname', 'pec.elsewhere.example', '-brief']);
      expect(wrong.status).not.toBe(0);
      expect(wrong.stderr).toContain('hostname mismatch');
    } finally {
      server.close();
    }
  });

  it('is described by describePki without touching it', () => {
    const summary = describePki(dir);
    expect(summary.ca?.info.subject).toBe('CN=PEC Testbed Root CA - TEST ONLY, O=PEC Testbed, C=IT');
    expect(summary.gestori.map((g) => [g.id, g.info.email, g.info.fingerprintSha1])).toEqual([
      ['alfa', 'posta-certificata@pec.alfa.test', pki.fingerprint('alfa')],
      ['beta', 'posta-certificata@pec.beta.test', pki.fingerprint('beta')],
    ]);
    expect(summary.tls?.keyPresent).toBe(true);
    expect(describePki(path.join(dir, 'missing')).ca).toBeUndefined();
  });
});

describe('a test PKI on later runs', () => {
  it('is reused: same certificates, nothing issued', () => {
    const dir = tempDir();
    const first = loadOrCreatePki({ dir, gestori });
    let again: TestPki | undefined;
    for (let i = 0; i < 3; i++) again = loadOrCreatePki({ dir, gestori });
    expect(again!.issued).toEqual([]);
    expect(again!.caCertPem).toBe(first.caCertPem);
    expect(again!.fingerprint('alfa')).toBe(first.fingerprint('alfa'));
    expect(again!.fingerprint('beta')).toBe(first.fingerprint('beta'));
    expect(again!.tls.certPem).toBe(first.tls.certPem);
  });

  it('re-issues only the certificate of a gestore whose name or domain changed, and issues one for a new gestore', () => {
    const dir = tempDir();
    const first = loadOrCreatePki({ dir, gestori });
    const renamed = [{ ...gestori[0], name: 'Alfa Nuova PEC S.p.A. (TEST)' }, gestori[1]];
    const second = loadOrCreatePki({ dir, gestori: renamed });
    expect(second.issued).toEqual(['gestore:alfa']);
    expect(second.fingerprint('alfa')).not.toBe(first.fingerprint('alfa'));
    expect(second.fingerprint('beta')).toBe(first.fingerprint('beta'));
    expect(second.caCertPem).toBe(first.caCertPem);
    expect(x509Text(second.signers.get('alfa')!.certPem)).toContain('CN = Posta Certificata Alfa Nuova PEC S.p.A. (TEST)');

    const moved = [renamed[0], { ...gestori[1], mailDomain: 'pec.beta-nuova.test' }];
    const third = loadOrCreatePki({ dir, gestori: moved });
    // the TLS certificate names the gestori's domains, so it follows them
    expect(third.issued).toEqual(['gestore:beta', 'tls']);
    expect(x509Text(third.signers.get('beta')!.certPem)).toContain('email:posta-certificata@pec.beta-nuova.test');

    const gamma = { id: 'gamma', name: 'Gamma PEC (TEST)', mailDomain: 'pec.gamma.test' };
    const fourth = loadOrCreatePki({ dir, gestori: [...moved, gamma] });
    expect(fourth.issued).toEqual(['gestore:gamma', 'tls']);
    expect(openssl(['verify', '-CAfile', fourth.caPath, path.join(dir, 'gestore-gamma.pem')]).status).toBe(0);

    const withHost = loadOrCreatePki({ dir, gestori: [...moved, gamma], hostnames: ['testbed.ci.example'] });
    expect(withHost.issued).toEqual(['tls']);
    expect(x509Text(withHost.tls.certPem)).toContain('DNS:testbed.ci.example');
    expect(withHost.tls.hostnames).toContain('testbed.ci.example');

    // callers asking for fewer names (no extra host, no managed domains) reuse the wider certificate
    const narrower = loadOrCreatePki({ dir, gestori: [...moved, gamma].map((g) => ({ id: g.id, name: g.name, mailDomain: g.mailDomain })) });
    expect(narrower.issued).toEqual([]);
    expect(narrower.tls.certPem).toBe(withHost.tls.certPem);
  });

  it('repairs a damaged pair, renews leaves near expiry, and starts over when the CA is unusable', () => {
    const dir = tempDir();
    const first = loadOrCreatePki({ dir, gestori });

    // a key that does not match its certificate (e.g. a crash between the two renames)
    fs.copyFileSync(path.join(dir, 'gestore-beta.key'), path.join(dir, 'gestore-alfa.key'));
    const repaired = loadOrCreatePki({ dir, gestori });
    expect(repaired.issued).toEqual(['gestore:alfa']);
    expect(repaired.fingerprint('beta')).toBe(first.fingerprint('beta'));

    // 3 years on, the 10-year root is still good; the 3-year leaves and the TLS certificate are not
    const later = new Date(Date.now() + 3 * 365 * 86_400_000);
    const renewed = loadOrCreatePki({ dir, gestori, now: later });
    expect(renewed.issued).toEqual(['gestore:alfa', 'gestore:beta', 'tls']);
    expect(renewed.caCertPem).toBe(first.caCertPem);

    fs.writeFileSync(path.join(dir, 'ca.pem'), 'not a certificate');
    const restarted = loadOrCreatePki({ dir, gestori });
    expect(restarted.issued).toEqual(['ca', 'gestore:alfa', 'gestore:beta', 'tls']);
    expect(openssl(['verify', '-CAfile', restarted.caPath, path.join(dir, 'gestore-alfa.pem'), path.join(dir, 'tls.pem')]).status).toBe(0);
    expect(fs.readdirSync(dir).filter((name) => name.endsWith('.tmp') || name === '.lock')).toEqual([]);
  });

  it('refuses a gestore id that cannot name a file', () => {
    expect(() => loadOrCreatePki({ dir: tempDir(), gestori: [{ id: '../evil', name: 'X', mailDomain: 'x.test' }] }))
      .toThrow(/gestore id/);
  });

  it('gives two processes starting together on an empty directory the same PKI', async () => {
    const dir = tempDir();
    const module = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/pki/index.ts');
    const script = `import { loadOrCreatePki, DEFAULT_GESTORI } from ${JSON.stringify(module)};
      const pki = loadOrCreatePki({ dir: ${JSON.stringify(dir)}, gestori: [...DEFAULT_GESTORI] });
      process.stdout.write(JSON.stringify({ ca: pki.caCertPem, alfa: pki.fingerprint('alfa') }));`;
    const scriptPath = path.join(tempDir(), 'race.mts');
    fs.writeFileSync(scriptPath, script);
    const runs = await Promise.all([0, 1].map(() => runNode(['--import', 'tsx', scriptPath])));
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const [a, b] = runs.map((run) => JSON.parse(run.stdout) as { ca: string; alfa: string });
    expect(a.ca).toBe(b.ca);
    expect(a.alfa).toBe(b.alfa);
    expect(openssl(['verify', '-CAfile', path.join(dir, 'ca.pem'), path.join(dir, 'gestore-alfa.pem')]).status).toBe(0);
  });
});

function notBefore(pem: string): number {
  return Date.parse(openssl(['x509', '-noout', '-startdate'], pem).stdout.trim().split('=')[1]);
}

function notAfter(pem: string): number {
  return Date.parse(openssl(['x509', '-noout', '-enddate'], pem).stdout.trim().split('=')[1]);
}

function runAsync(command: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdin.end();
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function opensslAsync(args: string[]) {
  return runAsync('openssl', args);
}

function runNode(args: string[]) {
  return runAsync(process.execPath, args);
}
