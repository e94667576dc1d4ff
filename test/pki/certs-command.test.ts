// `pec-testbed certs init|show`: output, JSON shape, scenario input and exit codes; one run goes
// through the real CLI entry point to check the wiring into yargs.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCertsInit, runCertsShow, type CertsIo } from '../../src/cli/commands/certs.js';
import { openssl, tempDir, writeTemp } from './helpers.js';

function capture(): CertsIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
  };
  return io;
}

describe('certs init', () => {
  it('creates the default gestori alfa and beta, then reuses them', () => {
    const dir = path.join(tempDir(), 'certs');
    const first = capture();
    expect(runCertsInit({ dir }, first)).toBe(0);
    expect(first.stdout).toContain('Issued: ca, gestore:alfa, gestore:beta, tls');
    expect(first.stdout).toContain('CN=Posta Certificata Alfa PEC S.p.A. (TEST), O=Alfa PEC S.p.A. (TEST), C=IT');
    expect(first.stdout).toContain('posta-certificata@pec.beta.test');
    expect(first.stdout).toContain(`NODE_EXTRA_CA_CERTS=${path.join(dir, 'ca.pem')}`);
    expect(openssl(['verify', '-CAfile', path.join(dir, 'ca.pem'), path.join(dir, 'gestore-beta.pem')]).status).toBe(0);

    const second = capture();
    expect(runCertsInit({ dir, json: true }, second)).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report.issued).toEqual([]);
    expect(report.gestori.map((g: { id: string }) => g.id)).toEqual(['alfa', 'beta']);
  });

  it('takes the gestori of a scenario file, the first domain being the mail domain', () => {
    const dir = tempDir();
    const scenario = writeTemp(dir, 'scenario.yaml', [
      'gestori:',
      '  - id: gamma',
      '    name: Gamma Posta (TEST)',
      '    domains: [pec.gamma.test, pec.comune-tre.test]',
    ].join('\n'));
    const io = capture();
    expect(runCertsInit({ dir: path.join(dir, 'certs'), scenario, json: true }, io)).toBe(0);
    const report = JSON.parse(io.stdout);
    expect(report.issued).toEqual(['ca', 'gestore:gamma', 'tls']);
    expect(report.gestori[0].email).toBe('posta-certificata@pec.gamma.test');
    expect(report.tls.dnsNames).toContain('*.pec.comune-tre.test');
  });

  it('exits 2 on an unreadable scenario or an unusable directory', () => {
    const dir = tempDir();
    const missing = capture();
    expect(runCertsInit({ dir, scenario: path.join(dir, 'nope.yaml') }, missing)).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the scenario file: no such file/);

    const empty = capture();
    expect(runCertsInit({ dir, scenario: writeTemp(dir, 'empty.yaml', 'ordinary: []\n') }, empty)).toBe(2);
    expect(empty.stderr).toMatch(/gestori: missing required key "gestori"/);

    const blocked = capture();
    const file = writeTemp(dir, 'a-file', 'x');
    expect(runCertsInit({ dir: path.join(file, 'certs') }, blocked)).toBe(2);
    expect(blocked.stderr).toMatch(/cannot create the PKI/);
  });
});

describe('certs show', () => {
  it('prints subjects, fingerprints, validity and paths, as text or JSON', () => {
    const dir = tempDir();
    expect(runCertsInit({ dir }, capture())).toBe(0);
    const text = capture();
    expect(runCertsShow({ dir }, text)).toBe(0);
    const sha1 = openssl(['x509', '-noout', '-fingerprint', '-sha1', '-in', path.join(dir, 'gestore-alfa.pem')])
      .stdout.split('=')[1].trim().replace(/:/g, '').toLowerCase();
    expect(text.stdout).toContain(sha1);
    expect(text.stdout).toContain(path.join(dir, 'gestore-alfa.key'));
    expect(text.stdout).toMatch(/Root CA \(trust this one\)/);

    const json = capture();
    expect(runCertsShow({ dir, json: true }, json)).toBe(0);
    expect(json.stdout.trim().split('\n')).toHaveLength(1);
    const report = JSON.parse(json.stdout);
    expect(report.ca.subject).toBe('CN=PEC Testbed Root CA - TEST ONLY, O=PEC Testbed, C=IT');
    expect(report.ca.certPath).toBe(path.join(dir, 'ca.pem'));
    expect(report.gestori[0]).toMatchObject({ id: 'alfa', fingerprintSha1: sha1, email: 'posta-certificata@pec.alfa.test' });
    expect(Date.parse(report.gestori[0].notAfter)).toBeGreaterThan(Date.now());
    expect(report.tls.ipAddresses).toEqual(['127.0.0.1', '::1']);
    expect(report.trust.join('\n')).toContain('curl --cacert');
  });

  it('exits 2 when there is no PKI, and through the real CLI too', () => {
    const dir = tempDir();
    const io = capture();
    expect(runCertsShow({ dir }, io)).toBe(2);
    expect(io.stderr).toMatch(/certs init/);

    const cli = path.resolve(import.meta.dirname, '../../src/cli/main.ts');
    const missing = spawnSync(process.execPath, ['--import', 'tsx', cli, 'certs', 'show', '--dir', dir], { encoding: 'utf8' });
    expect(missing.status, missing.stderr).toBe(2);
    fs.mkdirSync(path.join(dir, 'certs'));
    const init = spawnSync(process.execPath, ['--import', 'tsx', cli, 'certs', 'init', '--dir', path.join(dir, 'certs'), '--json'], { encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    expect(JSON.parse(init.stdout).issued).toEqual(['ca', 'gestore:alfa', 'gestore:beta', 'tls']);
  });
});
