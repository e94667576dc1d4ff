// The fault registry on its own: rules as validated JSON data, matching, counting (times, nth,
// window, probability with a seed) and the magic rules of `+tag` addresses.
import { describe, expect, it } from 'vitest';
import { FaultRegistry, FaultRuleError, magicRules, parseRule } from '../../src/faults/index.js';

function registry(seed: string | number = 1) {
  let now = 1_000_000;
  const clock = { now: () => now };
  const faults = new FaultRegistry({ clock, seed, gestori: ['alfa', 'beta'], magicAddress: () => true });
  return { faults, advance: (ms: number) => (now += ms) };
}

const rcpt = (recipient: string, extra: Record<string, unknown> = {}) => ({ gestore: 'beta', sender: 'a@pec.alfa.test', recipient, identificativo: `id-${recipient}`, ...extra });

describe('rules are data', () => {
  it('assigns ids, lists rules with counters, and survives a JSON round trip', () => {
    const { faults } = registry();
    const rule = faults.add({ at: 'consegna', match: { recipient: '*@pec.beta.test' }, do: { duplicate: true }, times: 'once' });
    expect(rule).toEqual({ id: 'r1', at: 'consegna', match: { recipient: '*@pec.beta.test' }, do: { duplicate: true }, times: 1 });
    const named = faults.add(JSON.parse(JSON.stringify({ id: 'lenta', at: 'smtp.data', match: { service: 'mx' }, do: { delay: '200ms' } })));
    expect(named.id).toBe('lenta');
    expect(() => faults.add({ id: 'lenta', at: 'relay', do: { drop: true } })).toThrow(/exists already/);
    const listed = faults.list();
    expect(JSON.parse(JSON.stringify(listed))).toEqual(listed);
    expect(listed.map((r) => [r.id, r.hits, r.seen, r.exhausted])).toEqual([['r1', 0, 0, false], ['lenta', 0, 0, false]]);
    expect(faults.remove('r1')).toBe(true);
    expect(faults.remove('r1')).toBe(false);
    faults.clear();
    expect(faults.list()).toEqual([]);
  });

  it('rejects an invalid rule with the path of every bad field and what was expected', () => {
    const { faults } = registry();
    let error: FaultRuleError | undefined;
    try {
      faults.add({ at: 'consegna', match: { recipent: 'x@pec.beta.test', gestore: 'gamma', nth: 0 }, do: { duplicate: 'yes', reply: { code: 250, message: 'ok' } }, times: -1, for: 30 });
    } catch (e) {
      error = e as FaultRuleError;
    }
    expect(error).toBeInstanceOf(FaultRuleError);
    const issues = error!.issues.map((i) => `${i.path}: ${i.message}`);
    expect(issues).toEqual(expect.arrayContaining([
      expect.stringMatching(/^match\.recipent: unknown key "recipent" \(did you mean "recipient"\?\)/),
      expect.stringMatching(/^match\.gestore: expected one of the topology's gestori \(alfa, beta\), got "gamma"/),
      expect.stringMatching(/^match\.nth: expected at least 1/),
      expect.stringMatching(/^do\.duplicate: expected true or false/),
      expect.stringMatching(/^do\.reply: unknown key "reply".*allowed here: drop, delay, error, erroreEsteso, duplicate, mailbox/),
      expect.stringMatching(/^times: expected at least 1/),
      expect.stringMatching(/^for: expected a duration .* \(write "30s" or "30ms"\)/),
    ]));
    expect(faults.list()).toEqual([]);
  });

  it('knows which errors each point takes, and needs an action', () => {
    expect(() => parseRule({ at: 'consegna', do: { error: 'virus' } })).toThrow(/do\.error: expected one of "no-dest", "altro"/);
    expect(() => parseRule({ at: 'ricezione', do: { error: 'virus' } })).not.toThrow();
    expect(() => parseRule({ at: 'relay', do: {} })).toThrow(/do: expected at least one action; at "relay": drop, delay, fail, corruptSignature/);
    expect(() => parseRule({ at: 'nowhere', do: { drop: true } })).toThrow(/at: expected one of "accesso", "relay"/);
    // a delay becomes a due time in virtual time, or a real-time timer at the IMAP, POP3 and SMTP points
    expect(() => parseRule({ at: 'consegna', do: { delay: '99999999999999999d' } })).toThrow(/do\.delay: expected a duration of at most \d+ ms \(the span of virtual time\)/);
    expect(() => parseRule({ at: 'consegna', do: { delay: '1.5ms' } })).toThrow(/do\.delay: expected a whole number of milliseconds/);
    expect(() => parseRule({ at: 'consegna', do: { delay: '3650d' } })).not.toThrow();
    expect(() => parseRule({ at: 'imap.login', do: { delay: '30d' } })).toThrow(/do\.delay: expected a duration of at most 2147483647 ms/);
    expect(() => parseRule({ at: 'imap.login', do: { delay: '24d' } })).not.toThrow();
    expect(() => parseRule({ at: 'relay', for: '1e3d', do: { drop: true } })).toThrow(/for: expected a duration/);
    expect(() => parseRule({ at: 'relay', match: { subject: '(' }, do: { drop: true } })).toThrow(/match\.subject: expected a regular expression/);
    expect(() => parseRule({ at: 'ricevuta', match: { kind: 'consegna' }, do: { omitMsgid: true } })).toThrow(/match\.kind: expected one of .*"avvenuta-consegna", .*got "consegna"/);
  });
});

describe('matching and counting', () => {
  it('matches globs case-insensitively, subject regexes and headers of the original', () => {
    const { faults } = registry();
    faults.add({ at: 'accesso', match: { sender: '*@PEC.ALFA.TEST', subject: '^Fattura \\d+', header: { name: 'X-Priorita', value: 'alta' } }, do: { delay: '1h' } });
    const headers = (name: string) => (name.toLowerCase() === 'x-priorita' ? 'alta' : undefined);
    expect(faults.at('accesso.accept', { gestore: 'alfa', sender: 'a@pec.alfa.test', subject: 'Fattura 12', headers })).toMatchObject({ delayMs: 3_600_000, rule: 'r1' });
    expect(faults.at('accesso.accept', { gestore: 'alfa', sender: 'a@pec.alfa.test', subject: 'Lettera', headers })).toEqual({});
    expect(faults.at('accesso.accept', { gestore: 'alfa', sender: 'a@pec.alfa.test', subject: 'Fattura 13' })).toEqual({});
  });

  it('times, nth and for (a window in virtual time) decide how often', () => {
    const { faults, advance } = registry();
    faults.add({ id: 'due', at: 'consegna', match: { recipient: 'x@pec.beta.test' }, do: { duplicate: true }, times: 2 });
    faults.add({ id: 'terzo', at: 'consegna', match: { recipient: 'y@pec.beta.test', nth: 3 }, do: { drop: true } });
    faults.add({ id: 'giu', at: 'relay', do: { fail: 'down' }, for: '30m' });
    const hits = (recipient: string) => Array.from({ length: 4 }, () => faults.at('consegna.deliver', rcpt(recipient)).rule ?? '-');
    expect(hits('x@pec.beta.test')).toEqual(['due', 'due', '-', '-']);
    expect(hits('y@pec.beta.test')).toEqual(['-', '-', 'terzo', '-']);
    expect(faults.at('relay.send', rcpt('z@pec.beta.test')).relayTransientError).toBe('down');
    advance(29 * 60_000);
    expect(faults.at('relay.send', rcpt('z@pec.beta.test')).relayTransientError).toBe('down');
    advance(60_000);
    expect(faults.at('relay.send', rcpt('z@pec.beta.test'))).toEqual({});
    const byId = Object.fromEntries(faults.list().map((r) => [r.id, r]));
    expect(byId.due).toMatchObject({ hits: 2, exhausted: true });
    expect(byId.terzo).toMatchObject({ hits: 1, seen: 3, exhausted: true });
    expect(byId.giu).toMatchObject({ hits: 2, firstHitAt: 1_000_000, exhausted: true });
  });

  it('probability draws from the seed, per message: same seed same decisions, in any order', () => {
    const decide = (seed: number, order: number[]) => {
      const { faults } = registry(seed);
      faults.add({ id: 'p', at: 'consegna', match: { probability: 0.5 }, do: { drop: true } });
      const out = new Map<number, boolean>();
      for (const i of order) out.set(i, faults.at('consegna.deliver', rcpt(`u${i}@pec.beta.test`)).drop === true);
      return [...out.entries()].sort((a, b) => a[0] - b[0]).map(([, d]) => d);
    };
    const forward = Array.from({ length: 40 }, (_, i) => i);
    const a = decide(7, forward);
    expect(decide(7, [...forward].reverse())).toEqual(a);
    expect(decide(8, forward)).not.toEqual(a);
    const dropped = a.filter(Boolean).length;
    expect(dropped).toBeGreaterThan(8);
    expect(dropped).toBeLessThan(32);
  });

  it('merges several rules at one point, the first one winning a field', () => {
    const { faults } = registry();
    faults.add({ id: 'a', at: 'ricevuta', do: { erroreEsteso: 'primo', omitMsgid: true } });
    faults.add({ id: 'b', at: 'ricevuta', do: { erroreEsteso: 'secondo', tipo: 'errore-consegna' } });
    expect(faults.at('receipt.emit', rcpt('x@pec.beta.test', { kind: 'errore-24h' }))).toEqual({
      erroreEsteso: 'primo', omitMsgid: true, tipoOverride: 'errore-consegna', rule: 'a,b',
    });
  });
});

describe('magic recipients', () => {
  it('expand into ordinary rules bound to the tagged address', () => {
    expect(magicRules('mario.rossi@pec.beta.test')).toEqual([]);
    expect(magicRules('mario.rossi+boh@pec.beta.test')).toEqual([]);
    expect(magicRules('Mario.Rossi+Doppia@pec.beta.test')).toEqual([
      expect.objectContaining({ id: '+doppia', at: 'consegna', match: { recipient: 'mario.rossi+doppia@pec.beta.test' }, do: { duplicate: true, mailbox: 'mario.rossi@pec.beta.test' } }),
    ]);
    expect(magicRules('x+ritardo-36h@pec.beta.test')[0].do).toEqual({ delay: '36h', mailbox: 'x@pec.beta.test' });
    expect(magicRules('x+541@pec.beta.test').map((r) => r.at)).toEqual(['smtp.rcpt', 'ricevuta']);
    // every magic rule is a valid rule (its id starts with "+", which user rules cannot take)
    for (const tag of ['silenzio', 'piena', 'virus', 'doppia', '541', 'ritardo-2h', 'ritardo-90m']) {
      for (const { id, ...rule } of magicRules(`x+${tag}@pec.beta.test`)) {
        expect(id.startsWith('+')).toBe(true);
        expect(() => parseRule(rule)).not.toThrow();
      }
    }
    expect(() => parseRule({ id: '+mia', at: 'relay', do: { drop: true } })).toThrow(/^invalid fault rule: id: expected letters/);
  });

  it('apply at their points unless the address is a real mailbox', () => {
    let real = false;
    const faults = new FaultRegistry({ clock: { now: () => 0 }, magicAddress: () => !real });
    expect(faults.at('ricezione.receive', rcpt('x+silenzio@pec.beta.test'))).toEqual({ drop: true, rule: '+silenzio' });
    expect(faults.at('consegna.deliver', rcpt('x+silenzio@pec.beta.test'))).toEqual({});
    expect(faults.at('smtp.rcpt', { service: 'mx', recipient: 'x+541@pec.beta.test' }).reply?.code).toBe(550);
    expect(faults.at('smtp.rcpt', { service: 'submission', recipient: 'x+541@pec.beta.test' })).toEqual({});
    real = true;
    expect(faults.at('ricezione.receive', rcpt('x+silenzio@pec.beta.test'))).toEqual({});
  });
});
