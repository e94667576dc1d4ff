// The fault registry over an on-disk store, restarted the way a testbed is: a new registry on the
// reopened database, restore(scenario rules). What survives (ids, order, counters, the id
// sequence), how the scenario file's rules combine with the ones added at run time, and damaged
// rows skipped with a warning instead of failing the start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultRegistry } from '../../src/faults/index.js';
import { openStore, type SqliteStore } from '../../src/store/index.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

const rcpt = (recipient: string) => ({ gestore: 'beta', sender: 'a@pec.alfa.test', recipient, identificativo: `id-${recipient}` });

/** one data dir; each start() is a new process's registry on it */
function dataDir(gestori = ['alfa', 'beta']) {
  const dir = mkdtempSync(join(tmpdir(), 'pec-faults-store-'));
  let store: SqliteStore | undefined;
  let now = 1_000_000;
  cleanups.push(() => {
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    advance: (ms: number) => (now += ms),
    get store() {
      return store!;
    },
    start(scenario: unknown[] = [], options: { gestori?: string[] } = {}) {
      store?.close();
      store = openStore({ path: join(dir, 'store.sqlite') });
      const warnings: Array<{ message: string; detail: Record<string, unknown> }> = [];
      const faults = new FaultRegistry({
        clock: { now: () => now }, seed: 1, gestori: options.gestori ?? gestori, magicAddress: () => false, store,
        onWarning: (message, detail) => warnings.push({ message, detail }),
      });
      faults.restore(scenario);
      return { faults, warnings };
    },
  };
}

const summary = (faults: FaultRegistry) => faults.list().map((r) => `${r.id}:${r.seen}/${r.hits}${r.exhausted ? '!' : ''}`);

describe('rules added at run time survive a restart', () => {
  it('with their ids, order and counters (times, nth, for), and go on counting from there', () => {
    const d = dataDir();
    let { faults } = d.start();
    faults.add({ id: 'due', at: 'consegna', match: { recipient: 'x@pec.beta.test' }, do: { duplicate: true }, times: 2 });
    faults.add({ at: 'consegna', match: { recipient: 'y@pec.beta.test', nth: 3 }, do: { drop: true } });
    faults.add({ id: 'giu', at: 'relay', do: { fail: 'down' }, for: '30m' });
    faults.add({ id: 'prima', at: 'ricevuta', do: { erroreEsteso: 'primo' } });
    faults.add({ id: 'dopo', at: 'ricevuta', do: { erroreEsteso: 'secondo', omitMsgid: true } });
    expect(faults.at('consegna.deliver', rcpt('x@pec.beta.test')).rule).toBe('due');
    faults.at('consegna.deliver', rcpt('y@pec.beta.test'));
    faults.at('consegna.deliver', rcpt('y@pec.beta.test'));
    expect(faults.at('relay.send', rcpt('z@pec.beta.test')).relayTransientError).toBe('down');
    const before = faults.list();
    expect(summary(faults)).toEqual(['due:1/1', 'r1:2/0', 'giu:1/1', 'prima:0/0', 'dopo:0/0']);

    d.advance(20 * 60_000);
    ({ faults } = d.start());
    expect(faults.list().map(({ exhausted: _e, ...r }) => r)).toEqual(before.map(({ exhausted: _e, ...r }) => r));
    // one application of `due` was left, the third event for `r1` is the next one, and the
    // 30 min window of `giu` started before the restart
    expect(faults.at('consegna.deliver', rcpt('x@pec.beta.test')).rule).toBe('due');
    expect(faults.at('consegna.deliver', rcpt('x@pec.beta.test'))).toEqual({});
    expect(faults.at('consegna.deliver', rcpt('y@pec.beta.test')).drop).toBe(true);
    expect(faults.at('relay.send', rcpt('z@pec.beta.test')).relayTransientError).toBe('down');
    d.advance(10 * 60_000);
    expect(faults.at('relay.send', rcpt('z@pec.beta.test'))).toEqual({});
    // order is priority: the first rule still wins the field both set
    expect(faults.at('receipt.emit', { ...rcpt('x@pec.beta.test'), kind: 'errore-24h' })).toMatchObject({ erroreEsteso: 'primo', omitMsgid: true, rule: 'prima,dopo' });
    expect(summary(faults)).toEqual(['due:2/2!', 'r1:3/1!', 'giu:2/2!', 'prima:1/1', 'dopo:1/1']);

    // and the counts of this run are kept too
    ({ faults } = d.start());
    expect(summary(faults)).toEqual(['due:2/2!', 'r1:3/1!', 'giu:2/2!', 'prima:1/1', 'dopo:1/1']);
  });

  it('removing one, or all, is kept; an assigned id is not handed out again', () => {
    const d = dataDir();
    let { faults } = d.start();
    faults.add({ at: 'relay', do: { drop: true } });
    faults.add({ at: 'relay', do: { delay: '1h' } });
    faults.add({ at: 'relay', do: { fail: 'x' } });
    expect(faults.remove('r2')).toBe(true);
    expect(faults.remove('r3')).toBe(true);
    ({ faults } = d.start());
    expect(faults.list().map((r) => r.id)).toEqual(['r1']);
    expect(faults.add({ at: 'relay', do: { fail: 'y' } }).id).toBe('r4');
    faults.clear();
    ({ faults } = d.start());
    expect(faults.list()).toEqual([]);
    expect(faults.at('relay.send', rcpt('z@pec.beta.test'))).toEqual({});
    expect(faults.add({ at: 'relay', do: { fail: 'z' } }).id).toBe('r5');
  });
});

describe('with a scenario file', () => {
  const fileRules = [
    { id: 'lenta', at: 'consegna', do: { delay: '1h' }, times: 1 },
    { at: 'relay', do: { drop: true }, times: 'always' },
  ];

  it("applies the file's rules first, then the run-time ones, once each", () => {
    const d = dataDir();
    let { faults } = d.start(fileRules);
    faults.add({ id: 'mia', at: 'consegna', do: { drop: true } });
    faults.add({ at: 'consegna', do: { duplicate: true } });
    expect(faults.list().map((r) => r.id)).toEqual(['lenta', 'r1', 'mia', 'r2']);
    expect(faults.at('consegna.deliver', rcpt('x@pec.beta.test')).rule).toBe('lenta,mia,r2');
    ({ faults } = d.start(fileRules));
    expect(summary(faults)).toEqual(['lenta:1/1!', 'r1:0/0', 'mia:1/1', 'r2:1/1']);
    ({ faults } = d.start(fileRules));
    expect(summary(faults)).toEqual(['lenta:1/1!', 'r1:0/0', 'mia:1/1', 'r2:1/1']);
    expect(d.store.loadFaultRules().rules.map((r) => `${r.source}:${r.id}`)).toEqual(['scenario:lenta', 'scenario:r1', 'runtime:mia', 'runtime:r2']);
  });

  it("the file stays the source of its rules: a changed rule starts over, a removed one comes back", () => {
    const d = dataDir();
    let { faults } = d.start(fileRules);
    faults.at('consegna.deliver', rcpt('x@pec.beta.test'));
    faults.at('relay.send', rcpt('x@pec.beta.test'));
    expect(faults.remove('r1')).toBe(true);
    ({ faults } = d.start([{ ...fileRules[0], times: 2 }, fileRules[1]]));
    expect(summary(faults)).toEqual(['lenta:0/0', 'r1:0/0']);
    faults.clear();
    ({ faults } = d.start(fileRules));
    expect(summary(faults)).toEqual(['lenta:0/0', 'r1:0/0']);
  });

  it('on an id clash, a chosen id replaces the file rule; an assigned one is renamed', () => {
    const d = dataDir();
    let { faults } = d.start([fileRules[0]]);
    // changing a scenario rule at run time: remove it, add one with its id
    faults.remove('lenta');
    faults.add({ id: 'lenta', at: 'consegna', do: { delay: '5h' } });
    faults.add({ at: 'relay', do: { fail: 'giu' } }); // r1: the file has no unnamed rule yet
    let warnings;
    // the file gains an unnamed rule, which takes r1 at start
    ({ faults, warnings } = d.start(fileRules));
    expect(faults.list().map((r) => [r.id, r.do])).toEqual([['r1', { drop: true }], ['lenta', { delay: '5h' }], ['r2', { fail: 'giu' }]]);
    expect(warnings.map((w) => w.message)).toEqual([
      'fault rule lenta of the scenario file is not applied: the rule lenta added at run time replaces it',
      'fault rule r1 added at run time is now r2: the scenario file has a rule r1',
    ]);
    // the new id is kept
    ({ faults, warnings } = d.start(fileRules));
    expect(faults.list().map((r) => r.id)).toEqual(['r1', 'lenta', 'r2']);
    expect(warnings.map((w) => w.message)).toEqual(['fault rule lenta of the scenario file is not applied: the rule lenta added at run time replaces it']);
  });
});

describe('damaged or outdated rows', () => {
  it('are skipped with a warning naming the rule and why; the others are in force', () => {
    const d = dataDir();
    let { faults } = d.start([], { gestori: ['alfa', 'beta', 'gamma'] });
    for (const id of ['json', 'schema', 'counters', 'source', 'gestore', 'buona']) {
      faults.add({ id, at: 'consegna', match: id === 'gestore' ? { gestore: 'gamma' } : {}, do: { error: 'altro' } });
    }
    d.store.close();
    const db = openStore({ path: d.store.location });
    const set = (id: string, sql: string) => db.database.prepare(`UPDATE fault_rules SET ${sql} WHERE id = ?`).run(id);
    set('json', "definition = '{\"id\":\"json\",'");
    set('schema', `definition = '${JSON.stringify({ id: 'schema', at: 'consegna', match: {}, do: { error: 'virus' }, times: 'always' })}'`);
    set('counters', "hits = 'tante'");
    set('source', "source = 'altrove'");
    db.close();

    // started with a topology without gamma
    let warnings;
    ({ faults, warnings } = d.start([], { gestori: ['alfa', 'beta'] }));
    expect(faults.list().map((r) => r.id)).toEqual(['buona']);
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/^saved fault rule json skipped: not JSON \(/),
      expect.stringMatching(/^saved fault rule schema skipped: no longer a valid rule: invalid fault rule: do\.error: expected one of "no-dest", "altro"/),
      'saved fault rule counters skipped: damaged counters',
      'saved fault rule source skipped: unknown source "altrove"',
      expect.stringMatching(/^saved fault rule gestore skipped: no longer a valid rule: .*match\.gestore: expected one of the topology's gestori \(alfa, beta\), got "gamma"/),
    ]);
    // the definition is in the warning's detail: nothing is lost that cannot be added again
    expect(warnings[1].detail).toMatchObject({ id: 'schema', definition: expect.stringContaining('"virus"') });
    expect(faults.at('consegna.deliver', rcpt('x@pec.beta.test'))).toMatchObject({ deliveryError: 'altro', rule: 'buona' });
    // dropped from the store: the next start is quiet
    ({ faults, warnings } = d.start());
    expect(faults.list().map((r) => r.id)).toEqual(['buona']);
    expect(warnings).toEqual([]);
  });
});
