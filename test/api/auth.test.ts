// Who may use the API and the UI: with a token, nothing but the health probes works without it
// (the UI asks for it); without one, only loopback Host names and same-origin writes are served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost, resolveToken } from '../../src/api/auth.js';
import type { Testbed } from '../../src/testbed/testbed.js';
import { startTestTestbed } from '../helpers/testbed.js';
import { api, curl } from './helpers.js';

describe('with a token', () => {
  let tb: Testbed;
  const TOKEN = 'segreto-di-prova';

  beforeAll(async () => {
    tb = await startTestTestbed({ apiToken: TOKEN });
  });
  afterAll(async () => {
    await tb?.stop();
  });

  it('refuses API calls without it (401 naming Authorization), accepts the bearer token', async () => {
    expect(tb.apiToken).toBe(TOKEN);
    const none = await curl([`${tb.url}/api/v1/gestori`]);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(JSON.parse(none.body.toString())).toMatchObject({ error: 'unauthorized', field: 'Authorization' });
    expect((await curl(['-H', 'Authorization: Bearer sbagliato', `${tb.url}/api/v1/gestori`])).status).toBe(401);
    expect((await curl(['-H', `Authorization: Bearer ${TOKEN}`, `${tb.url}/api/v1/gestori`])).status).toBe(200);
  });

  it('keeps the health probes open', async () => {
    expect((await curl([`${tb.url}/livez`])).status).toBe(200);
    expect((await curl([`${tb.url}/readyz`])).status).toBe(200);
  });

  it('the UI asks for the token and keeps it in an HttpOnly cookie', async () => {
    const page = await curl([`${tb.url}/ui/`]);
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/ui/login?next=%2Fui%2F');
    const form = await curl([`${tb.url}/ui/login`]);
    expect(form.status).toBe(200);
    expect(form.body.toString()).toContain('name="token"');
    const wrong = await curl(['--data-urlencode', 'token=no', '--data-urlencode', 'next=/ui/', `${tb.url}/ui/login`]);
    expect(wrong.status).toBe(401);
    const right = await curl(['--data-urlencode', `token=${TOKEN}`, '--data-urlencode', 'next=//evil.example/', `${tb.url}/ui/login`]);
    expect(right.status).toBe(303);
    expect(right.headers.location).toBe('/ui/');
    expect(right.headers['set-cookie']).toMatch(/^pec_testbed_token=segreto-di-prova; Path=\/; HttpOnly; SameSite=Strict/);
    const withCookie = await curl(['-H', `Cookie: pec_testbed_token=${TOKEN}`, `${tb.url}/ui/`]);
    expect(withCookie.status).toBe(200);
    expect((await curl(['-H', `Cookie: pec_testbed_token=${TOKEN}`, `${tb.url}/api/v1/clock`])).status).toBe(200);
  });
});

describe('without a token (loopback)', () => {
  let tb: Testbed;
  let http: ReturnType<typeof api>;

  beforeAll(async () => {
    tb = await startTestTestbed();
    http = api(tb);
  });
  afterAll(async () => {
    await tb?.stop();
  });

  it('needs no token', async () => {
    expect(tb.apiToken).toBeNull();
    expect((await http.get('/api/v1/clock')).status).toBe(200);
  });

  it('refuses a Host that is not a loopback name (DNS rebinding)', async () => {
    const res = await curl(['-H', 'Host: attacker.example:2080', `${tb.url}/api/v1/clock`]);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body.toString()).field).toBe('Host');
    expect((await curl(['-H', 'Host: localhost', `${tb.url}/api/v1/clock`])).status).toBe(200);
  });

  it('refuses state changes from another origin', async () => {
    const res = await http.post('/api/v1/reset', {}, { headers: { Origin: 'https://attacker.example' } });
    expect(res.status).toBe(403);
    expect(res.body.field).toBe('Origin');
    const same = await http.post('/api/v1/clock/speed', { speed: 1 }, { headers: { Origin: tb.url } });
    expect(same.status).toBe(200);
    // reading is fine from anywhere on this machine (no CORS headers are sent, so browsers cannot read it)
    expect((await http.get('/api/v1/clock', { headers: { Origin: 'https://attacker.example' } })).status).toBe(200);
  });
});

describe('token policy', () => {
  it('generates a token when bound beyond loopback and none was given', () => {
    expect(resolveToken('127.0.0.1', undefined)).toBeNull();
    expect(resolveToken('::1', undefined)).toBeNull();
    expect(resolveToken('localhost', undefined)).toBeNull();
    expect(resolveToken('0.0.0.0', undefined)).toMatch(/^[\w-]{20,}$/);
    expect(resolveToken('192.168.1.5', 'mio')).toBe('mio');
    expect(resolveToken('127.0.0.1', 'mio')).toBe('mio');
    expect(isLoopbackHost('127.3.4.5')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('example.org')).toBe(false);
  });
});
