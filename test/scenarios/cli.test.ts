// `pec-testbed scenario run` as CI runs it: exit 0 when every expectation holds, 1 on a failure,
// 2 on an invalid file (and then nothing runs); --json on stdout, --junit to a file.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliArgs, repoRoot } from '../helpers/cli.js';
import { testCertsDir } from '../helpers/testbed.js';

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return pecTestbed(['scenario', 'run', '--certs', testCertsDir(), ...args]);
}

function pecTestbed(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, cliArgs(args), { cwd: repoRoot, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'scenario-cli-'));
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

const passing = write('passa.yaml', `name: passa
steps:
  - send: { id: m1, from: protocollo@pec.comune-giardinello.test, to: mario.rossi+doppia@pec.beta.test }
expect:
  - message: m1
    messages: [{ kind: accettazione }, { kind: avvenuta-consegna, count: 2 }]
`);
const failing = write('fallisce.yaml', `name: fallisce
steps:
  - send: { id: m1, from: protocollo@pec.comune-giardinello.test, to: protocollo@pec.comune-mineo.test }
expect:
  - message: m1
    messages: [{ kind: accettazione }, { kind: errore-consegna }]
`);
const invalid = write('rotto.yaml', 'name: rotto\nsteps:\n  - advance: domani\n');

describe('pec-testbed scenario run', () => {
  it('exit 2 for an invalid file: nothing runs, the problem is on stderr with file, line and path', async () => {
    const r = await run([passing, invalid]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rotto\.yaml:3:5 steps\[0\]\.advance: expected a duration/);
    expect(r.stdout).toBe('');
  });

  it('exit 2 before anything runs when --junit or --dump cannot be written', async () => {
    const aFile = write('un-file.txt', 'x');
    for (const [args, message] of [
      [['--junit', dir], /--junit .* is a directory/],
      [['--junit', join(aFile, 'r.xml')], /cannot write --junit .*un-file\.txt\/r\.xml/],
      [['--dump', join(aFile, 'dump')], /cannot write --dump .*un-file\.txt\/dump/],
    ] as const) {
      const r = await run([passing, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout, 'nothing ran').toBe('');
    }
  });

  it('exit 2 naming the file for YAML nested too deep or an alias bomb, from run and from start', async () => {
    const deep = write('profondo.yaml', `name: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    const bomb = write('bomba.yaml', `${lines.join('\n')}\n`);
    const results = await Promise.all([
      run([deep]), pecTestbed(['start', '--certs', testCertsDir(), '--scenario', deep]),
      run([bomb]), pecTestbed(['start', '--certs', testCertsDir(), '--scenario', bomb]),
    ]);
    for (const [i, r] of results.entries()) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`invalid scenario ${i < 2 ? deep : bomb}: 1 problem`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(results[2].stderr).toMatch(/bomba\.yaml:2:10 \(top level\): YAML: Excessive alias count/);
  });

  it('certs init reads a shipped scenario with steps the way start does', async () => {
    const r = await pecTestbed(['certs', 'init', '--json', '--dir', join(dir, 'certs'), '--scenario', join(repoRoot, 'scenarios/consegna-ok.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { issued: string[] }).issued).toContain('gestore:alfa');
  });

  it('exit 1 when an expectation fails, with what was expected and what came; JUnit written', async () => {
    const junit = join(dir, 'out', 'junit.xml');
    const r = await run([passing, failing, '--junit', junit]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^PASS passa/m);
    expect(r.stdout).toMatch(/^FAIL fallisce/m);
    expect(r.stdout).toMatch(/message 2: expected errore-consegna; got kind avvenuta-consegna-completa/);
    expect(r.stdout).toMatch(/1 passed, 1 failed/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuites name="pec-testbed scenarios" tests="\d+" failures="1" errors="0">/);
    expect(xml).toMatch(/<testsuite name="fallisce"/);
  });

  it('exit 0 and one JSON document with --json; with --seed and --clock-start it is the same every run', async () => {
    const args = [passing, '--json', '--seed', '5', '--clock-start', '2026-03-29T01:30:00+01:00'];
    const [a, b] = await Promise.all([run(args), run(args)]);
    expect(a.code).toBe(0);
    const report = JSON.parse(a.stdout) as { passed: boolean; scenarios: Array<{ sends: Array<{ identificativo: string }> }> };
    expect(report.passed).toBe(true);
    expect(report.scenarios[0].sends[0].identificativo).toMatch(/^opec\d+\.20260329013000\./);
    expect(b.stdout).toBe(a.stdout);
  });
});
