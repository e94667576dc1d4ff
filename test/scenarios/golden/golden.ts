// The golden run, shared by the test (which compares) and regenerate.ts (which writes, by hand):
// the scenario beside this file with its seed and clock start. Its report and every message of
// every mailbox are pinned byte for byte, except the bytes of each S/MIME signature: the test
// PKI is generated per run (no private key is ever committed), so the signature part is
// replaced by a placeholder here, and the test checks signatures another way (openssl, and a
// second run on the same keys giving identical bytes).
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonReport, loadScenarioSpec, runScenario } from '../../../src/faults/scenario/index.js';

export const goldenDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** relative path -> bytes: report.json and `mailboxes/<address>/<nn>-<kind>.eml` */
export async function goldenRun(certsDir: string): Promise<{ files: Map<string, Buffer>; passed: boolean }> {
  // relative to the repository, so that the report does not depend on where it is checked out
  const spec = loadScenarioSpec(relative(repoRoot, join(goldenDir, 'dst.yaml')));
  const result = await runScenario(spec, { certsDir, keepMessages: true });
  const files = new Map<string, Buffer>([['report.json', Buffer.from(jsonReport([result]))]]);
  for (const mailbox of result.mailboxes ?? []) {
    for (const m of mailbox.messages) files.set(`mailboxes/${mailbox.address}/${m.name}`, m.raw);
  }
  return { files, passed: result.passed };
}

/** the message with the base64 body of every smime.p7s part (nested ones too) replaced by a fixed line */
export function withoutSignature(raw: Buffer): Buffer {
  const text = raw.toString('latin1').replace(
    /(name="smime\.p7s"[^]*?\r\n\r\n)[A-Za-z0-9+/=\r\n]+?(\r\n--)/g,
    "$1(CMS signature: generated per run with that run's test keys)$2",
  );
  return Buffer.from(text, 'latin1');
}

/** what is committed: signatures replaced */
export function pinned(files: Map<string, Buffer>): Map<string, Buffer> {
  return new Map([...files].map(([name, bytes]) => [name, name.endsWith('.eml') ? withoutSignature(bytes) : bytes]));
}
