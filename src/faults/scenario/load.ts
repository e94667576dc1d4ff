// Reading a scenario file: the topology loader does the work (YAML, line numbers, every issue
// with its path), this module adds the scenario sections and the one rule it needs about the
// topology: a file without `gestori:` runs on the default topology, or on the topology of the
// file named by `topology:` (`default`, or a path relative to the scenario file).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap } from 'yaml';
import { defaultScenarioPath } from '../../topology/package-paths.js';
import { loadScenarioFile, parseScenario, readScenarioYaml, ScenarioError, type Scenario } from '../../topology/scenario.js';
import type { FaultRuleInput } from '../types.js';
import { clockSection, faultsSection, seedSection, stepSections, topologySection, type ClockSection, type Expectation, type Step } from './format.js';

// A type alias, not an interface: it then fits the testbed's Scenario<Record<string, unknown>>.
export type ScenarioSections = {
  topology?: string;
  clock?: ClockSection;
  seed?: string;
  faults?: FaultRuleInput[];
  steps?: Step[];
  expect?: Expectation[];
};

export type ScenarioSpec = Scenario<ScenarioSections>;

function sections() {
  const { steps, expect } = stepSections();
  // Order matters: `expect` checks the send ids `steps` has seen.
  return { topology: topologySection, clock: clockSection, seed: seedSection, faults: faultsSection(), steps, expect };
}

/** The topology keys of another scenario file, as YAML flow text to append (line numbers of the file stay right). */
function borrowedTopology(file: string, name: string): string {
  const path = name === 'default' ? defaultScenarioPath() : resolve(dirname(file), name);
  const other = loadScenarioFile(path); // throws ScenarioError naming that file
  const plain = JSON.parse(JSON.stringify({ gestori: other.topology.gestori, ordinary: other.topology.ordinary })) as {
    gestori: Array<Record<string, unknown>>; ordinary: Array<Record<string, unknown>>;
  };
  // Back to the file format: the validated form has derived fields the schema does not accept.
  const gestori = plain.gestori.map((g) => ({
    id: g.id, name: g.name, domains: g.domains, dialect: (g.dialect as { name: string }).name === 'standard' || (g.dialect as { name: string }).name === 'legacy' ? (g.dialect as { name: string }).name : { base: 'standard', ...withoutName(g.dialect as Record<string, unknown>) },
    limits: g.limits, receiptMailbox: g.receiptMailbox,
    mailboxes: (g.mailboxes as Array<Record<string, unknown>>).map(mailboxOut),
  }));
  const ordinary = plain.ordinary.map((o) => ({ domain: o.domain, acceptAny: o.acceptAny, mailboxes: (o.mailboxes as Array<Record<string, unknown>>).map(mailboxOut) }));
  return `\ngestori: ${JSON.stringify(gestori)}\nordinary: ${JSON.stringify(ordinary)}\n`;
}

function withoutName(dialect: Record<string, unknown>): Record<string, unknown> {
  const { name: _name, ...rest } = dialect;
  return rest;
}

function mailboxOut(m: Record<string, unknown>): Record<string, unknown> {
  return { address: m.address, password: m.password, enabled: m.enabled, ...(m.quotaBytes !== null ? { quota: m.quotaBytes } : {}) };
}

export function parseScenarioSpec(text: string, file: string): ScenarioSpec {
  const { doc } = readScenarioYaml(text, file);
  let full = text;
  if (isMap(doc.contents)) {
    const hasGestori = doc.has('gestori');
    const topology = doc.get('topology');
    if (hasGestori && topology !== undefined && topology !== null) {
      throw new ScenarioError(file, [{ path: 'topology', message: 'give either "topology:" (another file\'s) or "gestori:" (this file\'s), not both' }]);
    }
    if (!hasGestori && !doc.has('ordinary')) {
      full = `${text.endsWith('\n') ? text : `${text}\n`}${borrowedTopology(file, typeof topology === 'string' ? topology : 'default')}`;
    }
  }
  return parseScenario(full, file, { extraSections: sections() });
}

export function loadScenarioSpec(file: string): ScenarioSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ScenarioError(file, [{ path: '', message: `cannot read the scenario file: ${reason}` }]);
  }
  return parseScenarioSpec(text, file);
}
