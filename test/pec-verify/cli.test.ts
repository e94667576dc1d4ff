import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const MAIN = join(ROOT, 'src/cli/main.ts');

let work: string;
let pack: string;

function cli(args: string[], cwd = work) {
  const r = spawnSync(TSX, [MAIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'pec-verify-cli-'));
  pack = join(work, 'pack');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('pec-testbed fixtures export', () => {
  it('writes one dialect and prints the manifest as JSON', () => {
    const r = cli(['fixtures', 'export', pack, '--dialect', 'legacy', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(r.stdout) as Array<{ file: string; kind: string; dialect: string }>;
    expect(manifest).toHaveLength(15);
    expect(new Set(manifest.map((e) => e.dialect))).toEqual(new Set(['legacy']));
    expect(JSON.parse(readFileSync(join(pack, 'manifest.json'), 'utf8'))).toEqual(manifest);
    for (const e of manifest) expect(existsSync(join(pack, e.file))).toBe(true);
    expect(existsSync(join(pack, 'standard'))).toBe(false);
  });

  it('refuses an unknown dialect with exit 2', () => {
    const r = cli(['fixtures', 'export', join(work, 'other'), '--dialect', 'aruba']);
    expect(r.code).toBe(2);
  });
});

describe('pec-testbed verify', () => {
  it('exit 0 and a human summary for a valid message', () => {
    const r = cli(['verify', join(pack, 'legacy/avvenuta-consegna-completa.eml'), '--ca', join(pack, 'ca.pem')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Kind\s+avvenuta-consegna \(avvenuta-consegna-completa\)$/m);
    expect(r.stdout).toMatch(/^Signer\s+CN=Posta Certificata Beta Certificata S\.r\.l\. \(TEST\)/m);
    expect(r.stdout).toMatch(/^\s+identificativo\s+opec\d+\.\d{14}\./m);
    expect(r.stdout).toMatch(/^\s+destinatari\s+protocollo@pec\.comune-mineo\.test \(certificato\)$/m);
    expect(r.stdout).toMatch(/^VALID$/m);
  });

  it('--json prints the verdict', () => {
    const r = cli(['verify', join(pack, 'legacy/preavviso-12h.eml'), '--ca', join(pack, 'ca.pem'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ valid: true, kind: 'preavviso-12h', variant: 'preavviso-12h', reasons: [] });
    expect(v.signature).toMatchObject({ present: true, valid: true, chainValid: true, algorithm: 'sha1' });
    expect(v.daticert.tipo).toBe('preavviso-errore-consegna');
    expect(v.checks.length).toBeGreaterThan(10);
  });

  it('uses certs/ca.pem of the working directory by default, else reports the chain untrusted (exit 1)', () => {
    const withCerts = join(work, 'with-certs');
    mkdirSync(join(withCerts, 'certs'), { recursive: true });
    copyFileSync(join(pack, 'ca.pem'), join(withCerts, 'certs/ca.pem'));
    const file = join(pack, 'legacy/accettazione.eml');
    expect(cli(['verify', file], withCerts).code).toBe(0);
    const r = cli(['verify', file, '--json'], work);
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout);
    expect(v.valid).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/signature\.chain: untrusted: no trusted CA given/);
  });

  it('exit 1 with reasons for a tampered message', () => {
    const raw = readFileSync(join(pack, 'legacy/posta-certificata.eml'));
    const at = raw.indexOf('Identificativo del messaggio');
    raw[at + 1] = 'D'.charCodeAt(0);
    const file = join(work, 'tampered.eml');
    writeFileSync(file, raw);
    const r = cli(['verify', file, '--ca', join(pack, 'ca.pem')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^INVALID$/m);
    expect(r.stdout).toMatch(/^ {2}- signature\.digest: content digest mismatch/m);
  });

  it('exit 2 for a missing or empty file, and without a file', () => {
    const missing = cli(['verify', join(work, 'nope.eml'), '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({ valid: false, error: expect.stringMatching(/no such file/) });
    const empty = join(work, 'empty.eml');
    writeFileSync(empty, '');
    const e = cli(['verify', empty]);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/empty/);
    expect(cli(['verify']).code).toBe(2);
  });

  it('exit 1 for a readable file that is not a PEC message', () => {
    const file = join(work, 'notes.txt');
    writeFileSync(file, 'shopping list\n- milk\n- bread\n');
    const r = cli(['verify', file, '--ca', join(pack, 'ca.pem')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/not a PEC message/);
  });
});
