import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLdif, text } from './ldif-reader.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'pec-index-cli-'));

const tsx = import.meta.resolve('tsx');

/** The command from source, as a user would run it, in a scratch working directory. */
function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', tsx, join(root, 'test/topology/index-cli-runner.ts'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('pec-testbed index export', () => {
  it('prints the LDIF of the default scenario, creating the PKI in certs/ of the working directory', () => {
    const { code, stdout, stderr } = cli('index', 'export');
    expect(stderr).toMatch(/issued .*gestore:alfa/);
    expect(code).toBe(0);
    const entries = readLdif(stdout).entries;
    expect(entries.map((e) => text(e, 'providerName')[0])).toEqual([undefined, 'Alfa PEC S.p.A. (TEST)', 'Beta Certificata S.r.l. (TEST)']);
    const again = cli('index', 'export');
    expect(again.stdout).toBe(stdout);
    expect(again.stderr).toBe('');
  });

  it('writes to --out from --scenario and --certs, under --base-dn', () => {
    const scenario = join(dir, 'one.yaml');
    writeFileSync(scenario, 'gestori:\n  - { id: solo, name: Solo PEC, domains: [pec.solo.test] }\n');
    const out = join(dir, 'igpec.ldif');
    const { code, stdout } = cli('index', 'export', '--scenario', scenario, '--certs', join(dir, 'other-certs'), '--out', out, '--base-dn', 'o=test');
    expect(code).toBe(0);
    expect(stdout).toBe('');
    const entries = readLdif(readFileSync(out, 'utf8')).entries;
    expect(entries.map((e) => e.dn)).toEqual(['o=test', 'providerName=Solo PEC,o=test']);
    expect(text(entries[1], 'mailReceipt')).toEqual(['posta-certificata@pec.solo.test']);
  });

  it('exits 2 with every problem listed for an invalid scenario, and for a missing one', () => {
    const scenario = join(dir, 'bad.yaml');
    writeFileSync(scenario, 'gestori:\n  - { id: alfa, nome: Alfa, domains: [pec_alfa.test] }\n');
    const bad = cli('index', 'export', '--scenario', scenario);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain(`invalid scenario ${scenario}: 3 problems`);
    expect(bad.stderr).toMatch(/gestori\[0\]\.nome: unknown key "nome" \(did you mean "name"\?\)/);
    expect(bad.stderr).toMatch(/gestori\[0\]\.domains\[0\]: expected a domain name/);
    const missing = cli('index', 'export', '--scenario', join(dir, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
  });

  it('reads scenario files as `start --scenario` does: steps and expect allowed, no gestori means the default topology', () => {
    const shipped = cli('index', 'export', '--scenario', join(root, 'scenarios/consegna-ok.yaml'));
    expect(shipped.stderr).toBe('');
    expect(shipped.code).toBe(0);
    const scenario = join(dir, 'solo-steps.yaml');
    writeFileSync(scenario, 'name: solo-steps\nsteps:\n  - advance: 1h\n');
    const defaulted = cli('index', 'export', '--scenario', scenario);
    expect(defaulted.code).toBe(0);
    expect(defaulted.stdout).toBe(shipped.stdout);
  });

  it('exits 2 naming the file for an alias bomb, without a stack trace', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    const scenario = join(dir, 'bomba.yaml');
    writeFileSync(scenario, `${lines.join('\n')}\n`);
    const r = cli('index', 'export', '--scenario', scenario);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^pec-testbed: invalid scenario ${scenario.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 1 problem\n.*bomba\.yaml:2:10 .*Excessive alias count`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 with one line when --out or --certs cannot be written', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    for (const args of [['--out', dir], ['--out', join(file, 'x.ldif')], ['--certs', file]]) {
      const r = cli('index', 'export', ...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^pec-testbed: cannot (write|create the PKI in) .*: E[A-Z]+: [^\n]*\n$/);
    }
  });
});
