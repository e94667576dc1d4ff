// The package as a user gets it: `npm pack` (which runs `prepare`, the real build) from a copy of
// the sources, the tarball unpacked into a fresh project's node_modules, then that project's own
// vitest suite (the README's vitest example, taken from README.md, and a longer one written like
// it) imports `pec-testbed` by name, and tsc checks its TypeScript against the published types.
// The dependencies are this checkout's, offline, except jest: a second fresh project installs the
// pinned JEST from the npm registry (as CI's `npm ci` does; about 10 s, during the pack) and runs
// the README's jest example, taken from README.md, the way the README says.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

const run = promisify(execFile);
const modules = join(repoRoot, 'node_modules');
const QUIET_NPM = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
const OFFLINE_NPM = { ...QUIET_NPM, npm_config_offline: 'true' };
/** the jest the README's jest example is checked with (engines: Node ^18.14 || ^20 || ^22 || >=24) */
const JEST = 'jest@30.5.2';

/** the body of the README's code block, in "In-process API for tests", whose first line is `first` */
function readmeExample(first: string): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## In-process API for tests\n');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const block = [...section.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((m) => m[1]).find((body) => body.startsWith(first));
  if (start === -1 || !block) throw new Error(`README.md: no code block starting ${first} in "In-process API for tests"`);
  return block;
}

let work: string;
let project: string;
let jestProject: string;
let files: string[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pec-package-'));
  // 0. meanwhile, the jest user's project: package.json as the README says, jest from the registry
  jestProject = join(work, 'jest-project');
  mkdirSync(jestProject);
  writeFileSync(join(jestProject, 'package.json'), JSON.stringify({ name: 'consumer-jest', private: true, type: 'module', jest: { transform: {} } }));
  const jestInstalled = run('npm', ['install', '--save-dev', '--save-exact', '--prefer-offline', JEST], { cwd: jestProject, env: QUIET_NPM, maxBuffer: 16 * 1024 * 1024 });
  jestInstalled.catch(() => undefined); // awaited below; not an unhandled rejection if the pack fails first
  // 1. a copy of what the repository publishes, with this checkout's dependencies
  const stage = join(work, 'stage');
  mkdirSync(stage);
  for (const entry of ['package.json', 'tsconfig.json', 'src', 'bin', 'scenarios']) cpSync(join(repoRoot, entry), join(stage, entry), { recursive: true });
  symlinkSync(modules, join(stage, 'node_modules'), 'dir');
  // 2. npm pack: runs `prepare` (tsc) and applies the package's file rules
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: stage, env: OFFLINE_NPM, maxBuffer: 32 * 1024 * 1024 });
  const packed = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  files = packed[0].files.map((f) => f.path);
  // 3. a fresh project with the tarball unpacked as node_modules/pec-testbed
  project = join(work, 'project');
  const installed = join(project, 'node_modules', 'pec-testbed');
  mkdirSync(installed, { recursive: true });
  await run('tar', ['-xzf', join(work, packed[0].filename), '-C', installed, '--strip-components=1']);
  // the package's own dependencies, as `npm install` would have put them next to it
  symlinkSync(modules, join(installed, 'node_modules'), 'dir');
  // the project's tools: vitest, typescript and Node's types
  for (const tool of ['vitest', 'typescript', '@types']) symlinkSync(join(modules, tool), join(project, 'node_modules', tool), 'dir');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
    include: ['*.ts'],
  }));
  writeFileSync(join(project, 'vitest.config.mjs'), "export default { test: { include: ['*.test.ts'], testTimeout: 60000, hookTimeout: 60000 } };\n");
  writeFileSync(join(project, 'pec.test.ts'), CONSUMER_TEST);
  writeFileSync(join(project, 'readme.test.ts'), readmeExample('// vitest\n'));
  // 4. the jest project gets the same tarball, after its npm install (which would prune it)
  await jestInstalled.catch((error: Error & { stderr?: string }) => {
    throw new Error(`npm install ${JEST} (from the npm registry) failed: ${error.stderr ?? error.message}`);
  });
  const jestInstalledPackage = join(jestProject, 'node_modules', 'pec-testbed');
  mkdirSync(jestInstalledPackage);
  await run('tar', ['-xzf', join(work, packed[0].filename), '-C', jestInstalledPackage, '--strip-components=1']);
  symlinkSync(modules, join(jestInstalledPackage, 'node_modules'), 'dir');
  writeFileSync(join(jestProject, 'pec.test.js'), readmeExample('// jest'));
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

// What the README shows: a test of an application's PEC integration, against the package by name.
const CONSUMER_TEST = `
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestbed, parsePec, verifyPec, WaitTimeoutError, type Testbed } from 'pec-testbed';

const COMUNE = 'protocollo@pec.comune-giardinello.test';
const DESTINATARIO = 'protocollo@pec.comune-mineo.test';
let tb: Testbed;

beforeAll(async () => {
  tb = await startTestbed({ ports: 'ephemeral', inMemory: true, certsDir: '.pec-certs', clock: { start: '2026-03-02T09:00:00+01:00' } });
});
afterAll(() => tb.stop());

test('accettazione and avvenuta consegna come back, signed', async () => {
  const sent = await tb.send({ from: COMUNE, to: DESTINATARIO, subject: 'Protocollo n. 42' });
  const [receipt] = await tb.waitFor({ kind: 'avvenuta-consegna', mailbox: COMUNE, msgid: sent.messageId });
  expect(receipt.identificativo).toBe(sent.identificativo);
  const parsed = parsePec(receipt.raw());
  expect(parsed.daticert?.consegna).toBe(DESTINATARIO);
  expect(verifyPec(receipt.raw(), { trustedCaPem: [tb.caPem] }).signature.valid).toBe(true);
  expect(tb.messages({ mailbox: COMUNE, msgid: sent.messageId }).map((m) => m.kind)).toEqual(['accettazione', 'avvenuta-consegna']);
});

test('a silent recipient: the 12 h preavviso after advancing the clock', async () => {
  const sent = await tb.send({ from: COMUNE, to: 'protocollo+silenzio@pec.comune-mineo.test', subject: 'Nessuna risposta' });
  await tb.waitFor({ kind: 'accettazione', mailbox: COMUNE, msgid: sent.messageId });
  await tb.clock.advance('12h');
  const [preavviso] = await tb.waitFor({ kind: 'preavviso-errore-consegna', mailbox: COMUNE, msgid: sent.messageId });
  expect(preavviso.parse().variant).toBe('preavviso-12h');
});

test('faults, reset, timeouts, and the HTTP API and UI of the same testbed', async () => {
  tb.faults.add({ at: 'consegna', match: { recipient: DESTINATARIO }, do: { error: 'altro' }, times: 1 });
  const sent = await tb.send({ from: COMUNE, to: DESTINATARIO, subject: 'Casella piena' });
  const [errore] = await tb.waitFor({ kind: 'errore-consegna', mailbox: COMUNE, msgid: sent.messageId });
  expect(errore.parse().daticert?.errore).toBe('altro');
  await expect(tb.waitFor({ kind: 'anomalia', timeout: '100ms' })).rejects.toBeInstanceOf(WaitTimeoutError);
  const api = await fetch(tb.url + '/api/v1/wait?kind=errore-consegna&msgid=' + encodeURIComponent(sent.messageId));
  expect(api.status).toBe(200);
  expect((await fetch(tb.url + '/ui/assets/flow.js')).status).toBe(200);
  await tb.reset();
  expect(tb.messages()).toEqual([]);
});
`;

describe('the published package', () => {
  it('contains the build, its types, the UI assets and the scenarios', () => {
    for (const file of ['package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'bin/pec-testbed.js', 'scenarios/default.yaml', 'src/web/assets/flow.js', 'src/web/assets/app.css']) {
      expect(files, file).toContain(file);
    }
    expect(readdirSync(join(project, 'node_modules', 'pec-testbed', 'dist')).length).toBeGreaterThan(5);
  });

  it("runs a user's vitest suite that imports pec-testbed by name", async () => {
    const vitest = join(modules, 'vitest', 'vitest.mjs');
    const result = await run(process.execPath, [vitest, 'run', '--root', project, '--reporter', 'verbose'], { cwd: project, env: { ...process.env, CI: '1' }, maxBuffer: 16 * 1024 * 1024 })
      .catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '', failed: true }));
    expect('failed' in result, `${result.stdout}\n${result.stderr}`).toBe(false);
    const summary = stripVTControlCharacters(result.stdout);
    expect(summary).toMatch(/Test Files +2 passed \(2\)/);
    expect(summary).toMatch(/Tests +5 passed \(5\)/);
  }, 180_000);

  it("runs the README's jest example, with NODE_OPTIONS=--experimental-vm-modules npx jest", async () => {
    const jest = join(jestProject, 'node_modules', '.bin', 'jest'); // what npx runs
    const result = await run(jest, ['--ci'], { cwd: jestProject, env: { ...process.env, CI: '1', NODE_OPTIONS: '--experimental-vm-modules' }, maxBuffer: 16 * 1024 * 1024 })
      .catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '', failed: true }));
    expect('failed' in result, `${result.stdout}\n${result.stderr}`).toBe(false);
    expect(stripVTControlCharacters(result.stderr)).toMatch(/Tests: +1 passed, 1 total/);
  }, 120_000);

  it('type-checks that suite against the published declarations', async () => {
    const tsc = join(modules, 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', join(project, 'tsconfig.json')], { cwd: project })
      .catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '', failed: true }));
    expect('failed' in result, result.stdout).toBe(false);
  }, 120_000);
});
