// With a seed and a clock start, a scenario's output is the same bytes every run: the report and
// every message of every mailbox (identificativi, Message-IDs, MIME boundaries, Date headers,
// daticert times, notice texts) equal the committed files under golden/, written by
// golden/regenerate.ts by hand, never by this test. Signatures depend on the test keys, which are
// generated per run: on the same keys a second run gives the very same bytes, and openssl accepts
// every message.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { opensslSmimeVerify } from '../helpers/openssl.js';
import { goldenDir, goldenRun, pinned } from './golden/golden.js';

function committed(): Map<string, Buffer> {
  const out = new Map<string, Buffer>([['report.json', readFileSync(join(goldenDir, 'report.json'))]]);
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(goldenDir, path), readFileSync(path));
    }
  };
  walk(join(goldenDir, 'mailboxes'));
  return out;
}

describe('golden output', () => {
  // a PKI of its own: valid from before the scenario's clock start (2026-03-29)
  const certs = mkdtempSync(join(tmpdir(), 'pec-golden-pki-'));

  it('equals the committed files, and a second run on the same keys gives the same bytes, signatures included', async () => {
    const first = await goldenRun(certs);
    expect(first.passed).toBe(true);
    const expected = committed();
    const got = pinned(first.files);
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, bytes] of got) {
      // as text first for a readable diff, then as bytes
      expect(bytes.toString('latin1'), name).toBe(expected.get(name)!.toString('latin1'));
      expect(bytes.equals(expected.get(name)!), name).toBe(true);
    }

    const second = await goldenRun(certs);
    for (const [name, bytes] of first.files) expect(second.files.get(name)?.equals(bytes), name).toBe(true);

    const ca = readFileSync(join(certs, 'ca.pem'), 'utf8');
    for (const [name, bytes] of first.files) {
      if (!name.endsWith('.eml')) continue;
      const verdict = opensslSmimeVerify(bytes, ca);
      expect(verdict.ok, `${name}: ${verdict.output}`).toBe(true);
    }
  });
});
