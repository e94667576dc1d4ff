// How the API answers what no route takes: a known path asked with another method is a 405 with
// `Allow` (an unknown path stays a 404, OPTIONS stays as express answers it), and an unexpected
// failure inside a handler, a RangeError included, is a JSON 500 without a stack trace.
import { describe, expect, it, vi } from 'vitest';
import type { Testbed } from '../../src/testbed/testbed.js';
import { type Api, curl, testbedForFile } from './helpers.js';

let tb: Testbed;
let http: Api;

testbedForFile((started) => ({ tb, http } = started));

describe('a method the path does not serve', () => {
  it('is 405 with Allow and a JSON body, on every kind of path', async () => {
    const cases: Array<[string, string, string]> = [
      ['PUT', '/api/v1/clock', 'GET, HEAD'],
      ['DELETE', '/api/v1/send', 'POST'],
      ['GET', '/api/v1/clock/advance', 'POST'],
      ['PUT', '/api/v1/messages/1', 'DELETE, GET, HEAD, PATCH'],
      // /faults/next takes POST, and /faults/:id takes DELETE of a rule called "next"
      ['GET', '/api/v1/faults/next', 'DELETE, POST'],
      ['POST', '/livez', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await http.call(method, path);
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
      expect(res.body).toEqual({ error: 'method_not_allowed', message: expect.stringContaining(`${method} is not served on ${path}`), allow: allow.split(', ') });
    }
  });

  it('curl agrees, HEAD included', async () => {
    const put = await curl(['-X', 'PUT', `${tb.url}/api/v1/clock`]);
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD');
    expect(put.headers['content-type']).toMatch(/^application\/json/);
    const head = await curl(['-I', `${tb.url}/api/v1/send`]);
    expect(head.status).toBe(405);
    expect(head.headers.allow).toBe('POST');
  });

  it('leaves unknown paths 404, served methods served, and OPTIONS as it was', async () => {
    expect((await http.get('/api/v1/nope')).status).toBe(404);
    expect((await http.call('PUT', '/api/v1/nope')).status).toBe(404);
    expect((await http.get('/api/v1/clock')).status).toBe(200);
    expect((await http.get('/livez')).status).toBe(200);
    // express's automatic answer where it gave one; the API's JSON 404 where it did not
    const livez = await http.call('OPTIONS', '/livez');
    expect(livez.status).toBe(200);
    expect(livez.headers.get('allow')).toBe('GET, HEAD');
    const clock = await http.call('OPTIONS', '/api/v1/clock');
    expect(clock.status).toBe(404);
    expect(clock.headers.get('allow')).toBeNull();
  });
});

describe('an unexpected failure inside a handler', () => {
  it('is a JSON 500, even when it is a RangeError, and shows no stack', async () => {
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const now = vi.spyOn(tb.clock, 'now');
    const recurse = (): number => recurse() + 1;
    try {
      // "Invalid time value" from toISOString, and a real stack overflow, both deep inside GET /clock
      now.mockReturnValueOnce(Number.NaN);
      const invalid = await http.get('/api/v1/clock');
      now.mockImplementationOnce(recurse);
      const overflow = await http.get('/api/v1/clock');
      for (const [res, message] of [[invalid, 'Invalid time value'], [overflow, 'Maximum call stack size exceeded']] as const) {
        expect(res.status, message).toBe(500);
        expect(res.body).toEqual({ error: 'internal', message: `internal error: ${message}` });
        expect(res.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
      }
      expect(warnings).toHaveBeenCalledTimes(2);
    } finally {
      now.mockRestore();
      warnings.mockRestore();
    }
    expect((await http.get('/api/v1/clock')).status).toBe(200);
  });

  it('while bad input is still a 400 naming the field, on every kind of input', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/api/v1/clock/advance', { by: 'domani' }, 'by'],
      ['POST', '/api/v1/clock/advance', { by: '1h  30x' }, 'by'],
      ['POST', '/api/v1/clock/speed', { speed: -1 }, 'speed'],
      ['GET', `/api/v1/messages?since=${'9'.repeat(400)}`, undefined, 'since'],
      ['GET', '/api/v1/messages?since=99999999999999999999', undefined, 'since'],
      ['GET', `/api/v1/log?since=${'9'.repeat(30)}`, undefined, 'since'],
      ['GET', `/api/v1/wait?timeout=${'9'.repeat(400)}`, undefined, 'timeout'],
      ['GET', '/api/v1/wait?timeout=1h%201x', undefined, 'timeout'],
      ['POST', '/api/v1/faults', { at: 'altrove', do: { drop: true } }, 'at'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await http.call(method, path, body);
      expect(res.status, `${method} ${path.slice(0, 60)}`).toBe(400);
      expect(res.body.field, `${method} ${path.slice(0, 60)}`).toBe(field);
    }
    // a taken fault rule id: asked before the registry, so still a 400
    expect((await http.post('/api/v1/faults', { id: 'doppia', at: 'consegna', do: { drop: true } })).status).toBe(201);
    expect(await http.post('/api/v1/faults', { id: 'doppia', at: 'consegna', do: { drop: true } })).toMatchObject({ status: 400, body: { field: 'id' } });
    expect((await http.del('/api/v1/faults')).status).toBe(204);
  });
});
