// The golden run, shared by the test (which compares) and regenerate.ts (which writes, by hand):
// the scenario beside this file, on a copy of the fixed test PKI beside it, so that keys and
// certificates (hence signatures) are the same in every run.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonReport, loadScenarioSpec, runScenario } from '../../../src/faults/scenario/index.js';

export const goldenDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** relative path -> bytes, for report.json and every message of every mailbox */
export async function goldenRun(): Promise<{ files: Map<string, Buffer>; passed: boolean }> {
  // A copy: loading a PKI may repair it in place, and the committed files must never change.
  const certs = mkdtempSync(join(tmpdir(), 'pec-golden-pki-'));
  cpSync(join(goldenDir, 'pki'), certs, { recursive: true });
  // relative to the repository, so that the report does not depend on where it is checked out
  const spec = loadScenarioSpec(relative(repoRoot, join(goldenDir, 'dst.yaml')));
  const result = await runScenario(spec, { certsDir: certs, keepMessages: true });
  const files = new Map<string, Buffer>([['report.json', Buffer.from(jsonReport([result]))]]);
  for (const mailbox of result.mailboxes ?? []) {
    for (const m of mailbox.messages) files.set(`mailboxes/${mailbox.address}/${m.name}`, m.raw);
  }
  return { files, passed: result.passed };
}
