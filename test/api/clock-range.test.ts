// The clock's range over HTTP: an advance that would take virtual time past its latest instant
// (or by a fraction of a millisecond) is a 400 naming `by` and the range it could take, and
// nothing moves: not the clock, not the log. The testbed goes on serving as before.
import { describe, expect, it } from 'vitest';
import type { Testbed } from '../../src/testbed/testbed.js';
import { A, type Api, B, curl, testbedForFile } from './helpers.js';

let tb: Testbed;
let http: Api;

const START = '2026-06-15T10:00:00+02:00';
const LATEST = '9989-12-31T22:59:59.999Z';

testbedForFile((started) => ({ tb, http } = started), { clock: { start: START, speed: 0 } });

describe('advancing the clock past its range', () => {
  it('is refused with 400 naming by and the range, before anything changes', async () => {
    const before = (await http.get('/api/v1/clock')).body;
    const logged = tb.store.queryLog({}).length;
    const room = Date.parse(LATEST) - before.ms;
    // past the store's safe integers; past JavaScript's Date; past the range; 400 nines
    for (const by of ['99999999999999999', '100000000d', String(room + 1), '9'.repeat(400)]) {
      const res = await http.post('/api/v1/clock/advance', { by });
      expect(res.status, by.slice(0, 20)).toBe(400);
      expect(res.body).toMatchObject({ error: 'bad_request', field: 'by', range: { min: 0, max: room, unit: 'ms', latest: LATEST } });
      expect(res.body.message).toContain(LATEST);
      expect((await http.get('/api/v1/clock')).body, by.slice(0, 20)).toEqual(before);
    }
    expect(tb.store.queryLog({})).toHaveLength(logged);
  });

  it('refuses a fraction of a millisecond, and reads decimal durations exactly', async () => {
    const before = (await http.get('/api/v1/clock')).body;
    const fraction = await http.post('/api/v1/clock/advance', { by: '1.5ms' });
    expect(fraction).toMatchObject({ status: 400, body: { field: 'by', message: expect.stringMatching(/whole milliseconds/) } });
    expect((await http.get('/api/v1/clock')).body).toEqual(before);
    const exact = await http.post('/api/v1/clock/advance', { by: '1.1h' });
    expect(exact.status).toBe(200);
    expect(exact.body.ms).toBe(before.ms + 3_960_000);
  });

  it('curl sees the same: a JSON 400, and GET /clock still answers', async () => {
    const before = (await http.get('/api/v1/clock')).body;
    const res = await curl(['-X', 'POST', `${tb.url}/api/v1/clock/advance`, '-H', 'Content-Type: application/json', '-d', '{"by":"100000000d"}']);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body.toString())).toMatchObject({ field: 'by', range: { latest: LATEST } });
    const clock = await curl([`${tb.url}/api/v1/clock`]);
    expect(clock.status).toBe(200);
    expect(JSON.parse(clock.body.toString())).toEqual(before);
  });

  it('a speed JSON reads as Infinity (1e400) is a 400 that says so', async () => {
    const res = await curl(['-X', 'POST', `${tb.url}/api/v1/clock/speed`, '-H', 'Content-Type: application/json', '-d', '{"speed":1e400}']);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString())).toMatchObject({ field: 'speed', message: 'speed must be a finite number, got Infinity' });
  });

  it('afterwards the testbed serves a normal flow, and advancing within range works', async () => {
    const sent = await http.post('/api/v1/send', { from: A, to: B, subject: 'Dopo il rifiuto', messageId: 'range-1@app.test' });
    expect(sent.status).toBe(200);
    const [receipt] = await tb.waitFor({ mailbox: A, kind: 'avvenuta-consegna', msgid: 'range-1@app.test' });
    expect(receipt.parse().daticert?.identificativo).toBe(sent.body.identificativo);
    const before = (await http.get('/api/v1/clock')).body;
    const later = await http.post('/api/v1/clock/advance', { by: '12h' });
    expect(later.status).toBe(200);
    expect(later.body.ms).toBe(before.ms + 12 * 3_600_000);
  });
});
