// Every scenario shipped in scenarios/ runs through the scenario runner (fresh in-memory testbed,
// real sockets) and passes: they are the catalogue's documentation and its tests at once.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/faults/index.js';
import { loadScenarioSpec, runScenario, scenarioText } from '../../src/faults/scenario/index.js';
import { repoRoot } from '../helpers/cli.js';
import { testCertsDir } from '../helpers/testbed.js';
import { opensslSmimeVerify } from '../helpers/openssl.js';
import { readInbox } from '../faults/imap.js';
import type { Testbed } from '../../src/testbed/testbed.js';

/**
 * What the runner judged from the store, read again the way consumers read it: every INBOX over
 * real IMAP, byte for byte as stored, and every signed message judged by openssl.
 */
async function judgeOverImap(tb: Testbed): Promise<string[]> {
  const problems: string[] = [];
  for (const account of tb.store.listAccounts()) {
    if (!account.enabled) continue;
    const stored = tb.store.findMessages({ address: account.address, folder: 'INBOX' });
    const fetched = await readInbox(tb, account.address);
    if (fetched.length !== stored.length) problems.push(`${account.address}: ${fetched.length} messages over IMAP, ${stored.length} stored`);
    for (const m of fetched) {
      const hit = stored.find((h) => h.uid === m.uid);
      if (!hit || !tb.store.getRaw(hit.id).equals(m.raw)) problems.push(`${account.address} UID ${m.uid}: bytes differ over IMAP`);
      if (!m.parsed.signed) continue;
      const verdict = opensslSmimeVerify(m.raw, tb.caPem);
      if (!verdict.ok) problems.push(`${account.address} UID ${m.uid} (${m.parsed.variant}): openssl: ${verdict.output.trim()}`);
    }
  }
  return problems;
}

const dir = join(repoRoot, 'scenarios');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'default.yaml').sort();

describe('shipped scenarios', () => {
  it('cover every entry of the fault catalogue, and each file is in it', () => {
    for (const entry of CATALOGUE) expect(files, entry.fault).toContain(entry.scenario);
    const named = new Set(CATALOGUE.map((e) => e.scenario));
    expect(files.filter((f) => !named.has(f))).toEqual(['consegna-ok.yaml']);
  });

  for (const file of files) {
    it(file, async () => {
      let overImap: string[] = ['not read'];
      const result = await runScenario(loadScenarioSpec(join(dir, file)), {
        certsDir: testCertsDir(),
        beforeStop: async (tb) => {
          overImap = await judgeOverImap(tb);
        },
      });
      expect(result.passed, scenarioText(result)).toBe(true);
      expect(overImap).toEqual([]);
      expect(result.expectations.length).toBeGreaterThan(0);
    });
  }
});
