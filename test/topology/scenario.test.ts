import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { legacy, standard } from '../../src/pec/dialects.js';
import {
  defaultScenarioPath, listOf, loadScenarioFile, parseScenario, ScenarioError, string, type Issue, type SectionValidator,
} from '../../src/topology/index.js';

/** The issues of a scenario text that must fail. */
function issuesOf(text: string, options: Parameters<typeof parseScenario>[2] = {}): Issue[] {
  try {
    parseScenario(text, 'bad.yaml', options);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).issues;
  }
  throw new Error('the scenario was accepted');
}

const minimal = (gestore: string, rest = '') => `
gestori:
  - id: alfa
    name: Alfa PEC
    domains: [pec.alfa.test]
${gestore}
${rest}`;

describe('default.yaml', () => {
  const scenario = loadScenarioFile(defaultScenarioPath());
  const { topology } = scenario;

  it('is the topology of design.md', () => {
    expect(scenario.name).toBe('default');
    expect(topology.gestori.map((g) => [g.id, g.name, g.domains, g.mailDomain])).toEqual([
      ['alfa', 'Alfa PEC S.p.A. (TEST)', ['pec.alfa.test', 'pec.comune-giardinello.test'], 'pec.alfa.test'],
      ['beta', 'Beta Certificata S.r.l. (TEST)', ['pec.beta.test', 'pec.comune-mineo.test'], 'pec.beta.test'],
    ]);
    expect(topology.accounts()).toEqual([
      ...['protocollo@pec.comune-giardinello.test', 'suap@pec.comune-giardinello.test', 'utente@pec.alfa.test']
        .map((address) => ({ address, password: 'pec', quotaBytes: null, enabled: true, gestore: 'alfa' })),
      ...['protocollo@pec.comune-mineo.test', 'mario.rossi@pec.beta.test', 'impresa@pec.beta.test']
        .map((address) => ({ address, password: 'pec', quotaBytes: null, enabled: true, gestore: 'beta' })),
      { address: 'cittadino@posta.ordinaria.test', password: 'pec', quotaBytes: null, enabled: true, gestore: null },
    ]);
    expect(topology.ordinary.map((o) => [o.domain, o.acceptAny])).toEqual([['posta.ordinaria.test', true]]);
  });

  it('fills the defaults: receipt mailbox, rules limits, standard dialect', () => {
    const alfa = topology.gestore('alfa')!;
    expect(alfa.receiptMailbox).toBe('posta-certificata@pec.alfa.test');
    expect(alfa.limits).toEqual({ maxMessageBytes: 31457280, hardCapBytes: 104857600 });
    expect(alfa.dialect).toEqual(standard);
  });

  it('answers the lookups the engine needs, case-insensitively', () => {
    expect(topology.gestoreOfDomain('pec.comune-mineo.test')?.id).toBe('beta');
    expect(topology.gestoreOfDomain('PEC.Comune-Giardinello.TEST')?.id).toBe('alfa');
    expect(topology.gestoreOfDomain('posta.ordinaria.test')).toBeUndefined();
    expect(topology.gestoreOfAddress('Mario.Rossi@pec.beta.test')?.id).toBe('beta');
    expect(topology.isCertifiedDomain('pec.alfa.test')).toBe(true);
    expect(topology.isCertifiedDomain('posta.ordinaria.test')).toBe(false);
    expect(topology.isCertifiedDomain('example.com')).toBe(false);
    expect(topology.ordinaryDomain('posta.ordinaria.test')?.acceptAny).toBe(true);
    expect(topology.ordinaryDomain('pec.alfa.test')).toBeUndefined();
    expect(topology.mailbox('cittadino@posta.ordinaria.test')?.gestore).toBeNull();
    expect(topology.mailbox('suap@pec.comune-giardinello.test')?.gestore?.id).toBe('alfa');
    expect(topology.mailbox('nobody@pec.alfa.test')).toBeUndefined();
  });

  it('is frozen: a shared topology cannot be edited by one of its users', () => {
    expect(() => (topology.gestori as unknown as unknown[]).push({})).toThrow();
    expect(() => { (topology.gestori[0] as { name: string }).name = 'x'; }).toThrow();
    // the library's own dialect objects stay as they were
    expect(Object.isFrozen(topology.gestori[0].dialect)).toBe(true);
    expect(topology.gestori[0].dialect).not.toBe(standard);
  });
});

describe('scenario values', () => {
  it('accepts mailbox shorthands, sizes with units, quotas, disabled boxes, own receipt mailbox', () => {
    const { topology } = parseScenario(minimal(`    receiptMailbox: ricevute@pec.alfa.test
    limits: { maxMessageBytes: 10MB, hardCapBytes: "1.5 GB" }
    mailboxes:
      - Utente@PEC.alfa.test
      - { address: piena@pec.alfa.test, quota: 512k, enabled: false, password: "0123" }
      - { address: grande@pec.alfa.test, quota: 1048576 }`), 'inline.yaml');
    const alfa = topology.gestore('alfa')!;
    expect(alfa.receiptMailbox).toBe('ricevute@pec.alfa.test');
    expect(alfa.limits).toEqual({ maxMessageBytes: 10 * 1024 * 1024, hardCapBytes: 1.5 * 1024 ** 3 });
    expect(alfa.mailboxes).toEqual([
      { address: 'utente@pec.alfa.test', password: 'pec', quotaBytes: null, enabled: true },
      { address: 'piena@pec.alfa.test', password: '0123', quotaBytes: 512 * 1024, enabled: false },
      { address: 'grande@pec.alfa.test', password: 'pec', quotaBytes: 1048576, enabled: true },
    ]);
  });

  it('resolves a dialect by name or as overrides of a base', () => {
    const { topology } = parseScenario(`
gestori:
  - { id: a, name: A, domains: [pec.a.test], dialect: legacy }
  - { id: b, name: B, domains: [pec.b.test], dialect: { base: standard, notice24hTipo: errore-consegna } }
  - { id: c, name: C, domains: [pec.c.test], dialect: { digest: sha1, name: aruba-2018 } }
`, 'dialects.yaml');
    expect(topology.gestore('a')!.dialect).toEqual(legacy);
    expect(topology.gestore('b')!.dialect).toEqual({ ...standard, notice24hTipo: 'errore-consegna', name: 'standard-custom' });
    expect(topology.gestore('c')!.dialect).toEqual({ ...standard, digest: 'sha1', name: 'aruba-2018' });
  });

  it('names the scenario after its file when it has no name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pec-topology-'));
    const file = join(dir, 'due-gestori.yaml');
    writeFileSync(file, minimal(''));
    const scenario = loadScenarioFile(file);
    expect(scenario.name).toBe('due-gestori');
    expect(scenario.description).toBeUndefined();
    expect(scenario.topology.ordinary).toEqual([]);
  });
});

describe('scenario errors', () => {
  it('an unknown key, with a hint for a near miss', () => {
    const issues = issuesOf(minimal('    mailboxs: []'));
    expect(issues).toEqual([expect.objectContaining({ path: 'gestori[0].mailboxs', line: 6 })]);
    expect(issues[0].message).toMatch(/unknown key "mailboxs" \(did you mean "mailboxes"\?\)/);
  });

  it('an unknown top-level section', () => {
    const issues = issuesOf(minimal('', 'faults: []'));
    expect(issues.map((i) => i.path)).toEqual(['faults']);
    expect(issues[0].message).toMatch(/allowed here: name, description, gestori, ordinary/);
  });

  it('a missing field', () => {
    const issues = issuesOf('gestori:\n  - id: alfa\n    domains: [pec.alfa.test]\n');
    expect(issues).toEqual([{ path: 'gestori[0].name', message: 'missing required key "name"', line: 2, column: 5 }]);
    expect(issuesOf('ordinary: []\n').map((i) => [i.path, i.message])).toEqual([['gestori', 'missing required key "gestori"']]);
  });

  it('a wrong type', () => {
    const issues = issuesOf(minimal('    mailboxes:\n      - { address: a@pec.alfa.test, enabled: "yes" }', 'ordinary: posta.ordinaria.test'));
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ['gestori[0].mailboxes[0].enabled', 'expected true or false, got "yes"'],
      ['ordinary', 'expected a list, got "posta.ordinaria.test"'],
    ]);
  });

  it('a bad domain name and a bad address', () => {
    const issues = issuesOf(`
gestori:
  - id: alfa
    name: Alfa
    domains: [pec.alfa.test, pec_comune.test]
    mailboxes: [utente@@pec.alfa.test]
`);
    expect(issues.map((i) => i.path)).toEqual(['gestori[0].domains[1]', 'gestori[0].mailboxes[0]']);
    expect(issues[0].message).toMatch(/expected a domain name .* got "pec_comune.test"/);
    expect(issues[1].message).toMatch(/expected a mail address/);
  });

  it('a duplicate domain, across gestori and ordinary entries', () => {
    const issues = issuesOf(`
gestori:
  - { id: alfa, name: Alfa, domains: [pec.alfa.test, pec.comune.test] }
  - { id: beta, name: Beta, domains: [pec.beta.test, PEC.comune.test] }
ordinary:
  - domain: pec.alfa.test
`);
    expect(issues.map((i) => i.path)).toEqual(['gestori[1].domains[1]', 'ordinary[0].domain']);
    expect(issues[0].message).toMatch(/"pec.comune.test" is declared twice: already at gestori\[0\]\.domains\[1\] \(gestore "alfa"\)/);
  });

  it('a duplicate gestore id and a duplicate mailbox address', () => {
    const issues = issuesOf(`
gestori:
  - { id: alfa, name: Alfa, domains: [pec.alfa.test], mailboxes: [utente@pec.alfa.test] }
  - { id: alfa, name: Alfa bis, domains: [pec.bis.test] }
ordinary:
  - { domain: posta.test, mailboxes: [a@posta.test, { address: A@posta.test }] }
`);
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ['gestori[1].id', 'gestore id "alfa" is used twice: already at gestori[0].id'],
      ['ordinary[0].mailboxes[1].address', 'mailbox "a@posta.test" is declared twice: already at ordinary[0].mailboxes[0]'],
    ]);
  });

  it('a mailbox outside its gestore\'s domains, a receipt mailbox too', () => {
    const issues = issuesOf(`
gestori:
  - id: alfa
    name: Alfa
    domains: [pec.alfa.test]
    receiptMailbox: ricevute@pec.beta.test
    mailboxes: [utente@pec.beta.test]
  - { id: beta, name: Beta, domains: [pec.beta.test] }
ordinary:
  - { domain: posta.test, mailboxes: [cittadino@altro.test] }
`);
    expect(issues.map((i) => i.path)).toEqual(['gestori[0].receiptMailbox', 'gestori[0].mailboxes[0]', 'ordinary[0].mailboxes[0]']);
    expect(issues[1].message).toBe('"utente@pec.beta.test" is not in a domain of gestore "alfa" (pec.alfa.test)');
    expect(issues[2].message).toMatch(/not in a domain of ordinary domain "posta.test"/);
  });

  it('a user mailbox on the gestore\'s own posta-certificata address', () => {
    const issues = issuesOf(minimal('    mailboxes: [posta-certificata@pec.alfa.test]'));
    expect(issues.map((i) => i.path)).toEqual(['gestori[0].mailboxes[0]']);
    expect(issues[0].message).toMatch(/the address the gestore sends its receipts and notices from/);
  });

  it('a bad quota and bad limits', () => {
    const issues = issuesOf(minimal(`    limits: { maxMessageBytes: 30MB, hardCapBytes: 1MB }
    mailboxes:
      - { address: a@pec.alfa.test, quota: 50 MBs }
      - { address: b@pec.alfa.test, quota: -1 }`));
    expect(issues.map((i) => i.path)).toEqual([
      'gestori[0].limits.hardCapBytes', 'gestori[0].mailboxes[0].quota', 'gestori[0].mailboxes[1].quota',
    ]);
    expect(issues[1].message).toMatch(/expected a size in bytes or with a unit .* got "50 MBs"/);
  });

  it('a bad dialect: unknown name, unknown field, bad value', () => {
    expect(issuesOf(minimal('    dialect: aruba')).map((i) => [i.path, i.message])).toEqual([
      ['gestori[0].dialect', 'expected a dialect name, one of "standard", "legacy", or a mapping { base: NAME, <field>: <value> }, got "aruba"'],
    ]);
    expect(issuesOf(minimal('    dialect: standrd'))[0].message).toMatch(/did you mean "standard"/);
    const issues = issuesOf(minimal('    dialect: { base: legacy, digest: md5, notice24h: errore-consegna }'));
    expect(issues.map((i) => i.path)).toEqual(['gestori[0].dialect.digest', 'gestori[0].dialect.notice24h']);
    expect(issues[1].message).toMatch(/did you mean "notice24hTipo"/);
  });

  it('a password YAML reads as a number', () => {
    const issues = issuesOf(minimal('    mailboxes: [{ address: a@pec.alfa.test, password: 1234 }]'));
    expect(issues[0].message).toMatch(/quote it in YAML: password: "1234"/);
  });

  it('reports every problem at once, in file order, with file, line and path in the message', () => {
    let error: ScenarioError | undefined;
    try {
      parseScenario(`name: molti errori
gestori:
  - id: Alfa
    name: Alfa
    domains: [pec.alfa.test]
    colour: blue
    mailboxes: [utente@pec.beta.test]
  - id: beta
    domains: [pec.alfa.test]
ordinary:
  - { domain: posta.test, acceptAny: maybe }
`, 'scenarios/molti.yaml');
    } catch (e) {
      error = e as ScenarioError;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect(error!.issues.map((i) => [i.line, i.path])).toEqual([
      [3, 'gestori[0].id'],
      [6, 'gestori[0].colour'],
      [7, 'gestori[0].mailboxes[0]'],
      [8, 'gestori[1].name'],
      [9, 'gestori[1].domains[0]'],
      [11, 'ordinary[0].acceptAny'],
    ]);
    expect(error!.message.split('\n')[0]).toBe('invalid scenario scenarios/molti.yaml: 6 problems');
    expect(error!.message).toContain('  scenarios/molti.yaml:6:5 gestori[0].colour: unknown key "colour"');
  });

  it('YAML syntax errors and duplicate keys', () => {
    const syntax = issuesOf('gestori:\n  - id: alfa\n   name: [\n');
    expect(syntax.length).toBeGreaterThan(0);
    expect(syntax[0].message).toMatch(/^YAML syntax: /);
    expect(syntax[0].line).toBeGreaterThan(0);
    const duplicate = issuesOf(minimal('    id: beta'));
    expect(duplicate[0].message).toMatch(/YAML syntax: .*unique/i);
  });

  it('a document that is not a mapping, and a file that does not exist', () => {
    expect(issuesOf('- just a list\n')[0]).toMatchObject({ path: '', message: expect.stringMatching(/expected a mapping/) });
    expect(issuesOf('')[0]).toMatchObject({ path: '', message: expect.stringMatching(/expected a mapping.*got nothing/) });
    expect(() => loadScenarioFile('/nonexistent/scenario.yaml')).toThrow(/invalid scenario \/nonexistent\/scenario.yaml: 1 problem\n.*no such file/);
  });
});

describe('extra sections', () => {
  const steps: SectionValidator<string[]> = (value, ctx, scope) => {
    const list = listOf(string())(value, ctx);
    // A later section can check itself against the topology: here, every step names a known mailbox.
    list?.forEach((address, i) => {
      if (scope.topology && !scope.topology.mailbox(address)) ctx.at(i).fail(`unknown mailbox ${address}`);
    });
    return list;
  };

  it('are accepted through the hook and validated with the topology at hand', () => {
    const scenario = parseScenario(minimal('    mailboxes: [utente@pec.alfa.test]', 'steps: [utente@pec.alfa.test]'), 'x.yaml', {
      extraSections: { steps },
    });
    const list: string[] | undefined = scenario.sections.steps;
    expect(list).toEqual(['utente@pec.alfa.test']);
    expect(parseScenario(minimal(''), 'x.yaml', { extraSections: { steps } }).sections.steps).toBeUndefined();
  });

  it('report their issues together with the topology\'s', () => {
    const issues = issuesOf(minimal('    colour: blue', 'steps: [nessuno@pec.alfa.test, 3]'), { extraSections: { steps } });
    expect(issues.map((i) => i.path)).toEqual(['gestori[0].colour', 'steps[1]']);
  });

  it('cannot redefine a base key', () => {
    expect(() => parseScenario(minimal(''), 'x.yaml', { extraSections: { gestori: steps } })).toThrow(/cannot redefine gestori/);
  });
});
