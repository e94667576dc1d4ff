// Every scenario shipped in scenarios/ runs through the scenario runner (fresh in-memory testbed,
// real sockets) and passes: they are the catalogue's documentation and its tests at once.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/faults/index.js';
import { loadScenarioSpec, runScenario, scenarioText } from '../../src/faults/scenario/index.js';
import { repoRoot } from '../helpers/cli.js';
import { testCertsDir } from '../helpers/testbed.js';

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
      const result = await runScenario(loadScenarioSpec(join(dir, file)), { certsDir: testCertsDir() });
      expect(result.passed, scenarioText(result)).toBe(true);
      expect(result.expectations.length).toBeGreaterThan(0);
    });
  }
});
