// The virtual clock over HTTP (read, advance with the timers firing, speed) and fault rules
// (add, list, one-shot "next message to X", remove, clear), with their effect on real flows.
import { describe, expect, it } from 'vitest';
import type { Testbed } from '../../src/testbed/testbed.js';
import { A, type Api, B, B2, enc, testbedForFile } from './helpers.js';

let tb: Testbed;
let http: Api;

testbedForFile((started) => ({ tb, http } = started), { clock: { start: '2026-03-02T09:00:00+01:00', speed: 0 } });

describe('clock', () => {
  it('reads the virtual clock', async () => {
    const res = await http.get('/api/v1/clock');
    expect(res.body).toEqual({ now: '2026-03-02T08:00:00.000Z', ms: Date.parse('2026-03-02T08:00:00Z'), speed: 0 });
  });

  it('advancing 12h and 24h fires the timers of a silent recipient, in order', async () => {
    const silent = 'protocollo+silenzio@pec.comune-mineo.test';
    const sent = await tb.send({ from: A, to: silent, subject: 'Nessuna risposta' });
    await tb.waitFor({ mailbox: A, kind: 'accettazione', identificativo: sent.identificativo! });
    await tb.idle();
    const after12 = await http.post('/api/v1/clock/advance', { by: '12h' });
    expect(after12.body.now).toBe('2026-03-02T20:00:00.000Z');
    // the answer comes once the work the timers cause is done: the preavviso is already stored
    const preavviso = tb.messages({ mailbox: A, kind: 'preavviso-errore-consegna', identificativo: sent.identificativo! });
    expect(preavviso).toHaveLength(1);
    expect(preavviso[0].parse().variant).toBe('preavviso-12h');
    await http.post('/api/v1/clock/advance', { by: '12h' });
    const both = tb.messages({ mailbox: A, kind: 'preavviso-errore-consegna', identificativo: sent.identificativo! });
    expect(both.map((m) => m.parse().variant)).toEqual(['preavviso-12h', 'errore-24h']);
    const flow = (await http.get(`/api/v1/flows/${enc(sent.identificativo!)}`)).body;
    expect(flow.recipients[0]).toMatchObject({ address: silent, state: 'expired' });
    expect(flow.events.map((e: { actor: string; event: string }) => `${e.actor}:${e.event}`)).toEqual(expect.arrayContaining(['ricezione:silenzio', 'timer:preavviso-12h', 'timer:errore-24h']));
  });

  it('sets the speed', async () => {
    expect((await http.post('/api/v1/clock/speed', { speed: 7200 })).body.speed).toBe(7200);
    expect((await http.post('/api/v1/clock/speed', { speed: 0 })).body.speed).toBe(0);
  });

  it('refuses bad input naming the field', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/api/v1/clock/advance', { by: 'domani' }, 'by'],
      ['/api/v1/clock/advance', { by: 12 }, 'by'],
      ['/api/v1/clock/advance', {}, 'by'],
      ['/api/v1/clock/speed', { speed: -1 }, 'speed'],
      ['/api/v1/clock/speed', { speed: 'fast' }, 'speed'],
      ['/api/v1/clock/speed', { speed: 1, by: '1h' }, 'by'],
    ];
    for (const [path, body, field] of cases) {
      const res = await http.post(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.field, JSON.stringify(body)).toBe(field);
    }
  });
});

describe('faults', () => {
  it('adds, lists and removes a rule', async () => {
    const added = await http.post('/api/v1/faults', { id: 'lenta', at: 'consegna', match: { recipient: B2 }, do: { delay: '2h' } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: 'lenta', at: 'consegna', times: 'always' });
    const list = await http.get('/api/v1/faults');
    expect(list.body.rules).toEqual([expect.objectContaining({ id: 'lenta', hits: 0, exhausted: false })]);
    expect((await http.del('/api/v1/faults/lenta')).status).toBe(204);
    expect((await http.del('/api/v1/faults/lenta')).status).toBe(404);
    expect((await http.get('/api/v1/faults')).body.rules).toEqual([]);
  });

  it('refuses a bad rule with 400 naming its field', async () => {
    const bad = await http.post('/api/v1/faults', { at: 'altrove', do: { drop: true } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('at');
    const wrongAction = await http.post('/api/v1/faults', { at: 'accesso', do: { drop: true } });
    expect(wrongAction.status).toBe(400);
    expect(wrongAction.body.field).toMatch(/^do/);
    const dup = await http.post('/api/v1/faults', { id: 'x', at: 'consegna', do: { drop: true } });
    expect(dup.status).toBe(201);
    const taken = await http.post('/api/v1/faults', { id: 'x', at: 'consegna', do: { drop: true } });
    expect(taken.status).toBe(400);
    expect(taken.body).toMatchObject({ field: 'id', message: expect.stringContaining('a fault rule with id "x" exists already') });
    expect((await http.del('/api/v1/faults')).status).toBe(204);
  });

  it('"the next message to X" applies once', async () => {
    const rule = await http.post('/api/v1/faults/next', { to: B, do: { error: 'no-dest' } });
    expect(rule.status).toBe(201);
    expect(rule.body).toMatchObject({ at: 'consegna', match: { recipient: B }, times: 1 });
    const first = await tb.send({ from: A, to: B, subject: 'Prima' });
    const second = await tb.send({ from: A, to: B, subject: 'Seconda' });
    const [err] = await tb.waitFor({ mailbox: A, kind: 'errore-consegna', identificativo: first.identificativo! });
    expect(err.parse().daticert?.errore).toBe('no-dest');
    await tb.waitFor({ mailbox: A, kind: 'avvenuta-consegna', identificativo: second.identificativo! });
    const [listed] = (await http.get('/api/v1/faults')).body.rules;
    expect(listed).toMatchObject({ hits: 1, exhausted: true });
  });

  it('"the next message from X", placed where the action applies', async () => {
    const rule = await http.post('/api/v1/faults/next', { from: A, do: { error: 'virus' } });
    expect(rule.body).toMatchObject({ at: 'ricezione', match: { sender: A }, times: 1 });
    const sent = await tb.send({ from: A, to: B, subject: 'Infetto?' });
    await tb.waitFor({ mailbox: A, kind: 'errore-consegna-virus', identificativo: sent.identificativo! });
  });

  it('"next" refuses what it cannot place', async () => {
    expect(await http.post('/api/v1/faults/next', { do: { drop: true } })).toMatchObject({ status: 400, body: { field: 'to' } });
    expect(await http.post('/api/v1/faults/next', { to: B, do: { reply: { code: 550, message: 'no' } } })).toMatchObject({ status: 400, body: { field: 'do' } });
    expect(await http.post('/api/v1/faults/next', { to: B })).toMatchObject({ status: 400, body: { field: 'do' } });
    expect(await http.post('/api/v1/faults/next', { to: B, at: 'altrove', do: { drop: true } })).toMatchObject({ status: 400, body: { field: 'at' } });
    expect((await http.del('/api/v1/faults')).status).toBe(204);
    expect((await http.get('/api/v1/faults')).body.rules).toEqual([]);
  });
});
