// With a seed and a clock start, a scenario's output is the same bytes every run: the report and
// every message of every mailbox (identificativi, Message-IDs, MIME boundaries, Date headers,
// daticert times, signatures) equal the committed files under golden/. The files are written by
// golden/regenerate.ts, by hand, never by this test.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { opensslSmimeVerify } from '../helpers/openssl.js';
import { goldenDir, goldenRun } from './golden/golden.js';

function committed(): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(goldenDir, path), readFileSync(path));
    }
  };
  out.set('report.json', readFileSync(join(goldenDir, 'report.json')));
  walk(join(goldenDir, 'mailboxes'));
  return out;
}

describe('golden output', () => {
  it('is byte for byte the committed files', async () => {
    const expected = committed();
    const { files, passed } = await goldenRun();
    expect(passed).toBe(true);
    expect([...files.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, bytes] of files) {
      // compared as text first for a readable diff, then as bytes
      expect(bytes.toString('latin1'), name).toBe(expected.get(name)!.toString('latin1'));
      expect(bytes.equals(expected.get(name)!), name).toBe(true);
    }
  });

  it('holds messages openssl accepts, signed by the committed test CA', () => {
    const ca = readFileSync(join(goldenDir, 'pki', 'ca.pem'), 'utf8');
    for (const [name, bytes] of committed()) {
      if (!name.endsWith('.eml')) continue;
      const verdict = opensslSmimeVerify(bytes, ca);
      expect(verdict.ok, `${name}: ${verdict.output}`).toBe(true);
    }
  });
});
