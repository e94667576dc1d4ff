// Fault rules across a restart on the same data dir, end to end: rules added over the real HTTP
// API (fetch and curl), the testbed stopped and started again on the same directory, and what the
// rules do judged the way a PEC client sees it: a real SMTP submission, the receipts read over
// real IMAP.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Testbed, TestbedOptions } from '../../src/testbed/testbed.js';
import { api, curl } from '../api/helpers.js';
import { startTestTestbed, submit } from '../helpers/testbed.js';
import { about, readInbox } from './imap.js';

const A = 'protocollo@pec.comune-giardinello.test';
const B = 'protocollo@pec.comune-mineo.test';
const START = Date.parse('2026-03-02T09:00:00+01:00');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pec-fault-restart-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** an on-disk testbed on `dataDir`, stopped after the test if it still runs */
async function start(dataDir: string, extra: TestbedOptions = {}): Promise<Testbed> {
  const tb = await startTestTestbed({ inMemory: false, dataDir, clock: { start: START, speed: 0 }, ...extra });
  cleanups.push(() => tb.stop());
  return tb;
}

/** sends A -> B and returns what A's INBOX holds about it, read over IMAP */
async function outcome(tb: Testbed, subject: string): Promise<string[]> {
  const sent = await submit(tb, { from: A, to: B, subject });
  await tb.idle();
  return about(await readInbox(tb, A), sent.identificativo!).map((m) => String(m.parsed.variant ?? m.parsed.kind));
}

async function rules(tb: Testbed): Promise<Array<Record<string, unknown>>> {
  const res = await api(tb).get('/api/v1/faults');
  expect(res.status).toBe(200);
  return res.body.rules;
}

const FULL = ['accettazione', 'errore-consegna-altro'];
const NO_DEST = ['accettazione', 'errore-consegna-no-dest'];
const DELIVERED = ['accettazione', 'avvenuta-consegna-completa'];

describe('rules added over the HTTP API outlive a restart on the same data dir', () => {
  it('with their ids, their order and what is left of `times`; reset keeps them; deleting them is kept too', async () => {
    const dir = newDataDir();
    let tb = await start(dir);
    const added = await api(tb).post('/api/v1/faults', { id: 'piena', at: 'consegna', match: { recipient: B }, do: { error: 'altro' }, times: 2 });
    expect(added.status).toBe(201);
    const byCurl = await curl(['-X', 'POST', '-H', 'content-type: application/json', '--data', JSON.stringify({ at: 'consegna', match: { recipient: B }, do: { error: 'no-dest' } }), `${tb.url}/api/v1/faults`]);
    expect(byCurl.status).toBe(201);
    expect(JSON.parse(byCurl.body.toString())).toMatchObject({ id: 'r1', times: 'always' });
    // both apply; the first one added wins the field both set
    expect(await outcome(tb, 'Prima della ripartenza')).toEqual(FULL);
    await tb.stop();

    tb = await start(dir);
    expect(await rules(tb)).toEqual([
      expect.objectContaining({ id: 'piena', times: 2, hits: 1, exhausted: false }),
      expect.objectContaining({ id: 'r1', times: 'always', hits: 1 }),
    ]);
    // still first, so it still wins; then its second and last time is used up
    expect(await outcome(tb, 'Seconda')).toEqual(FULL);
    expect(await outcome(tb, 'Terza')).toEqual(NO_DEST);
    expect((await api(tb).post('/api/v1/reset', {})).status).toBe(200);
    expect((await rules(tb)).map((r) => r.id)).toEqual(['piena', 'r1']);
    await tb.stop();

    tb = await start(dir);
    expect(await rules(tb)).toEqual([
      expect.objectContaining({ id: 'piena', hits: 2, exhausted: true }),
      expect.objectContaining({ id: 'r1', hits: 3 }),
    ]);
    expect(await outcome(tb, 'Quarta')).toEqual(NO_DEST);
    expect((await api(tb).del('/api/v1/faults/r1')).status).toBe(204);
    expect((await curl(['-X', 'DELETE', `${tb.url}/api/v1/faults/piena`])).status).toBe(204);
    await tb.stop();

    tb = await start(dir);
    expect(await rules(tb)).toEqual([]);
    expect(await outcome(tb, 'Dopo la cancellazione')).toEqual(DELIVERED);
    // a new rule does not take the id of a deleted one
    expect((await api(tb).post('/api/v1/faults', { at: 'relay', do: { drop: true }, match: { recipient: 'nessuno@pec.beta.test' } })).body.id).toBe('r2');
  });

  it("combine with the scenario file's rules without duplicates: the file's first, each once", async () => {
    const dir = newDataDir();
    const scenario = join(dir, 'persistenza.yaml');
    writeFileSync(scenario, [
      'name: persistenza',
      'faults:',
      `  - { id: dal-file, at: consegna, match: { recipient: "${B}" }, do: { error: altro }, times: 1 }`,
      '',
    ].join('\n'));
    let tb = await start(dir, { scenario });
    expect(await outcome(tb, 'Uno')).toEqual(FULL);
    expect((await api(tb).post('/api/v1/faults', { id: 'aggiunta', at: 'consegna', match: { recipient: B }, do: { error: 'no-dest' }, times: 1 })).status).toBe(201);
    await tb.stop();

    tb = await start(dir, { scenario });
    expect(await rules(tb)).toEqual([
      expect.objectContaining({ id: 'dal-file', hits: 1, exhausted: true }),
      expect.objectContaining({ id: 'aggiunta', hits: 0, exhausted: false }),
    ]);
    // the file's rule is not armed again by the restart
    expect(await outcome(tb, 'Due')).toEqual(NO_DEST);
    expect(await outcome(tb, 'Tre')).toEqual(DELIVERED);
  });
});

describe('a damaged saved rule', () => {
  it('is skipped with a warning (process warning and provider log); the start goes on with the others', async () => {
    const dir = newDataDir();
    let tb = await start(dir);
    expect((await api(tb).post('/api/v1/faults', { id: 'rotta', at: 'consegna', match: { recipient: B }, do: { error: 'altro' } })).status).toBe(201);
    expect((await api(tb).post('/api/v1/faults', { id: 'sana', at: 'consegna', match: { recipient: B }, do: { error: 'no-dest' } })).status).toBe(201);
    await tb.stop();

    const db = new Database(join(dir, 'store.sqlite'));
    expect(db.prepare("UPDATE fault_rules SET definition = '{\"id\": \"rotta\", \"at\": ' WHERE id = 'rotta'").run().changes).toBe(1);
    db.close();

    const warnings: Error[] = [];
    const listener = (w: Error) => {
      if ((w as NodeJS.ErrnoException).code === 'PEC_TESTBED_FAULT_RULE') warnings.push(w);
    };
    process.on('warning', listener);
    cleanups.push(() => void process.off('warning', listener));
    tb = await start(dir);
    expect((await rules(tb)).map((r) => r.id)).toEqual(['sana']);
    const log = await api(tb).get('/api/v1/log?actor=fault&event=avviso');
    expect(log.body).toEqual([expect.objectContaining({ detail: expect.objectContaining({ id: 'rotta', message: expect.stringMatching(/^saved fault rule rotta skipped: not JSON/) }) })]);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^saved fault rule rotta skipped: not JSON/)]);
    expect(await outcome(tb, 'Con la regola sana')).toEqual(NO_DEST);
  });
});
