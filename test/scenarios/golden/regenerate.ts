// Writes the golden files, by hand, after an intended change of the output (then review the
// diff): `npx tsx test/scenarios/golden/regenerate.ts`. The test never writes them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { goldenDir, goldenRun, pinned } from './golden.js';

const { files, passed } = await goldenRun(mkdtempSync(join(tmpdir(), 'pec-golden-pki-')));
if (!passed) throw new Error('the golden scenario does not pass: fix it before writing its output');
rmSync(join(goldenDir, 'mailboxes'), { recursive: true, force: true });
for (const [name, bytes] of pinned(files)) {
  mkdirSync(dirname(join(goldenDir, name)), { recursive: true });
  writeFileSync(join(goldenDir, name), bytes);
}
process.stdout.write(`wrote ${files.size} golden files under ${goldenDir}\n`);
