// Writes the golden files (run by hand after an intended change of the output, then review the
// diff): `npx tsx test/scenarios/golden/regenerate.ts`. With `--pki` it also issues a new fixed
// test PKI, valid from before the scenario's clock start; its keys are committed test material.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadOrCreatePki } from '../../../src/pki/test-pki.js';
import { certRequestsOf } from '../../../src/topology/certificates.js';
import { loadScenarioFile } from '../../../src/topology/scenario.js';
import { defaultScenarioPath } from '../../../src/topology/package-paths.js';
import { goldenDir, goldenRun } from './golden.js';

async function main(): Promise<void> {
  if (process.argv.includes('--pki')) {
    rmSync(join(goldenDir, 'pki'), { recursive: true, force: true });
    loadOrCreatePki({
      dir: join(goldenDir, 'pki'),
      gestori: certRequestsOf(loadScenarioFile(defaultScenarioPath()).topology),
      hostnames: ['127.0.0.1'],
      now: new Date('2026-03-01T00:00:00Z'),
    });
  }
  const { files, passed } = await goldenRun();
  if (!passed) throw new Error('the golden scenario does not pass: fix it before writing its output');
  rmSync(join(goldenDir, 'mailboxes'), { recursive: true, force: true });
  for (const [name, bytes] of files) {
    mkdirSync(dirname(join(goldenDir, name)), { recursive: true });
    writeFileSync(join(goldenDir, name), bytes);
  }
  process.stdout.write(`wrote ${files.size} golden files under ${goldenDir}\n`);
}

await main();
