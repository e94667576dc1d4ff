// Scenario files are checked before anything starts: every mistake reported with the file, the
// line, the path of the field and what was expected. A file without `gestori:` runs on the
// default topology, or on the topology of the file named by `topology:`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioSpec, parseScenarioSpec } from '../../src/faults/scenario/index.js';
import { ScenarioError } from '../../src/topology/scenario.js';

function issuesOf(text: string, file = 'rotto.yaml'): string[] {
  try {
    parseScenarioSpec(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
  }
  throw new Error('expected the scenario to be rejected');
}

describe('invalid scenario files', () => {
  it('lists every problem with line and column of the key, path and what was expected', () => {
    const issues = issuesOf([
      'name: rotto',
      'faults:',
      '  - at: consegna',
      '    match: { recipent: x@pec.beta.test }',
      '    do: { duplicate: yes }',
      '  - at: smtp.rcpt',
      '    do: { reply: { code: 250, message: ok } }',
      'steps:',
      '  - send: { from: protocollo@pec.comune-giardinello.test }',
      '  - advance: 12',
      '  - jump: 1h',
      'expect:',
      '  - message: m9',
      '    messages: [{ kind: accettazione, after: soon }]',
      '',
    ].join('\n'));
    expect(issues).toEqual([
      expect.stringMatching(/^4:14 faults\[0\]\.match\.recipent: unknown key "recipent" \(did you mean "recipient"\?\)/),
      expect.stringMatching(/^5:11 faults\[0\]\.do\.duplicate: expected true or false, got "yes"/),
      expect.stringMatching(/^7:20 faults\[1\]\.do\.reply\.code: expected at least 400, got 250/),
      expect.stringMatching(/^9:5 steps\[0\]\.send\.to: missing required key "to"/),
      expect.stringMatching(/^10:5 steps\[1\]\.advance: expected a duration .*\(write "12s" or "12ms"\)/),
      expect.stringMatching(/^11:5 steps\[2\]\.jump: unknown step "jump"/),
      expect.stringMatching(/^13:5 expect\[0\]\.message: expected the id of a send step \(m1\), got "m9"/),
      expect.stringMatching(/^14:38 expect\[0\]\.messages\[0\]\.after: expected a duration/),
    ]);
  });

  it('names the file in the message, and refuses topology: together with gestori:', () => {
    let error: ScenarioError | undefined;
    try {
      parseScenarioSpec('name: x\ntopology: default\ngestori: []\nsteps: [{ advance: 1h }]\n', 'doppio.yaml');
    } catch (e) {
      error = e as ScenarioError;
    }
    expect(error?.message).toMatch(/^invalid scenario doppio\.yaml: 1 problem\n {2}doppio\.yaml topology: give either "topology:"/);
  });

  it('an alias bomb is a ScenarioError naming the file and the line of the first alias', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    expect(issuesOf(`${lines.join('\n')}\n`, 'bomba.yaml')).toEqual([expect.stringMatching(/^2:10 : YAML: Excessive alias count/)]);
  });

  it('checks the kinds of expected messages against the PEC kinds and their variants', () => {
    const issues = issuesOf([
      'steps:',
      '  - send: { from: protocollo@pec.comune-giardinello.test, to: mario.rossi@pec.beta.test }',
      'expect:',
      '  - message: m1',
      '    messages: [{ kind: accettazione }, { kind: errore-consegna-no-dest }, { kind: ordinaria }, { kind: nonsense }]',
      '',
    ].join('\n'));
    expect(issues).toEqual([expect.stringMatching(/^5:98 expect\[0\]\.messages\[3\]\.kind: expected one of .*"avvenuta-consegna-breve".*, got "nonsense"/)]);
  });

  it('bounds real-time waits to what a Node timer can wait', () => {
    const issues = issuesOf([
      'steps:',
      '  - wait: { pause: 999999h }',
      '  - wait: { mailbox: mario.rossi@pec.beta.test, timeout: 9999h }',
      '  - wait: { pause: 596h }',
      '',
    ].join('\n'));
    expect(issues).toEqual([
      expect.stringMatching(/^2:13 steps\[0\]\.wait\.pause: expected a duration of at most 2147483647 ms \(~24.8 days, a real-time timer\)/),
      expect.stringMatching(/^3:49 steps\[1\]\.wait\.timeout: expected a duration of at most 2147483647 ms \(~24.8 days, a real-time timer\)/),
    ]);
  });

  it('a missing file is a ScenarioError too', () => {
    expect(() => loadScenarioSpec('/nonexistent/x.yaml')).toThrow(/cannot read the scenario file: no such file/);
  });
});

describe('the topology a scenario runs on', () => {
  const steps = 'steps:\n  - advance: 1h\n';

  it('is the default one when the file has no gestori', () => {
    for (const head of ['name: a\n', 'name: a\ntopology: default\n']) {
      const spec = parseScenarioSpec(head + steps, 'a.yaml');
      expect(spec.topology.gestori.map((g) => g.id)).toEqual(['alfa', 'beta']);
      expect(spec.topology.ordinary.map((o) => o.domain)).toEqual(['posta.ordinaria.test']);
      expect(spec.topology.mailbox('mario.rossi@pec.beta.test')).toBeDefined();
    }
  });

  it('is another file\'s when named, relative to the scenario, dialects and quotas included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-topology-'));
    writeFileSync(join(dir, 'mondo.yaml'), [
      'gestori:',
      '  - id: gamma',
      '    name: Gamma PEC',
      '    domains: [pec.gamma.test]',
      '    dialect: { base: legacy, notice24hTipo: errore-consegna }',
      '    mailboxes: [{ address: a@pec.gamma.test, quota: 1KB }, b@pec.gamma.test]',
    ].join('\n'));
    writeFileSync(join(dir, 'uso.yaml'), `name: uso\ntopology: mondo.yaml\n${steps}`);
    const spec = loadScenarioSpec(join(dir, 'uso.yaml'));
    const gamma = spec.topology.gestore('gamma')!;
    expect(gamma.dialect).toMatchObject({ signatureProtocol: 'application/x-pkcs7-signature', notice24hTipo: 'errore-consegna' });
    expect(spec.topology.mailbox('a@pec.gamma.test')?.mailbox.quotaBytes).toBe(1024);
    // the faults section is checked against that topology
    writeFileSync(join(dir, 'sbagliato.yaml'), `name: s\ntopology: mondo.yaml\nfaults:\n  - { at: consegna, match: { gestore: beta }, do: { drop: true } }\n${steps}`);
    expect(() => loadScenarioSpec(join(dir, 'sbagliato.yaml'))).toThrow(/sbagliato\.yaml:4:\d+ faults\[0\]\.match\.gestore: expected one of the topology's gestori \(gamma\)/);
    writeFileSync(join(dir, 'manca.yaml'), `name: m\ntopology: altrove.yaml\n${steps}`);
    expect(() => loadScenarioSpec(join(dir, 'manca.yaml'))).toThrow(/altrove\.yaml.*no such file/);
  });
});
