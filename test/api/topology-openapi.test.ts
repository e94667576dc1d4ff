// The topology endpoints, the providers' index (JSON and LDIF, judged by curl), health probes,
// and the OpenAPI document checked against the routes express really serves.
import { describe, expect, it } from 'vitest';
import type { Testbed } from '../../src/testbed/testbed.js';
import { createApp } from '../../src/api/app.js';
import { openApiPath } from '../../src/api/openapi.js';
import { servedRoutes } from '../../src/api/route.js';
import { type Api, curl, testbedForFile } from './helpers.js';

let tb: Testbed;
let http: Api;

testbedForFile((started) => ({ tb, http } = started));

describe('topology', () => {
  it('lists the gestori with their domains, receipt mailbox and mailboxes', async () => {
    const res = await http.get('/api/v1/gestori');
    expect(res.status).toBe(200);
    expect(res.body.map((g: { id: string }) => g.id)).toEqual(['alfa', 'beta']);
    const alfa = res.body[0];
    expect(alfa).toMatchObject({ name: 'Alfa PEC S.p.A. (TEST)', domains: ['pec.alfa.test', 'pec.comune-giardinello.test'], receiptMailbox: 'posta-certificata@pec.alfa.test', dialect: 'standard' });
    expect(alfa.mailboxes).toContain('protocollo@pec.comune-giardinello.test');
  });

  it('gives one gestore, and 404 with a JSON body for an unknown one', async () => {
    expect((await http.get('/api/v1/gestori/beta')).body.domains).toEqual(['pec.beta.test', 'pec.comune-mineo.test']);
    const missing = await http.get('/api/v1/gestori/gamma');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'not_found' });
  });

  it('lists PEC and ordinary domains', async () => {
    const res = await http.get('/api/v1/domains');
    expect(res.body).toEqual(expect.arrayContaining([
      { domain: 'pec.comune-mineo.test', type: 'pec', gestore: 'beta' },
      expect.objectContaining({ domain: 'posta.ordinaria.test', type: 'ordinaria', gestore: null }),
    ]));
  });

  it('publishes the index as JSON and as LDIF with the same certificate hashes (curl)', async () => {
    const json = await http.get('/api/v1/index');
    expect(json.body).toHaveLength(2);
    const ldif = await curl([`${tb.url}/api/v1/index.ldif`]);
    expect(ldif.status).toBe(200);
    expect(ldif.headers['content-type']).toMatch(/^text\/plain/);
    const text = ldif.body.toString();
    for (const entry of json.body) {
      expect(text).toContain(`providerCertificateHash: ${entry.providerCertificateHash}`);
      expect(text).toContain(`mailReceipt: ${entry.mailReceipt}`);
    }
    expect(text).toMatch(/^dn: providerName=Alfa PEC S\.p\.A\. \(TEST\),o=postacert$/m);
  });
});

describe('health', () => {
  it('answers /livez and /readyz', async () => {
    expect(await http.get('/livez')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await http.get('/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });
});

describe('errors', () => {
  it('an unknown API route is a JSON 404; an unknown query parameter is a 400 naming it', async () => {
    const missing = await curl([`${tb.url}/api/v1/nothing-here`]);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(missing.body.toString())).toMatchObject({ error: 'not_found' });
    const bad = await http.get('/api/v1/domains?colour=blue');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'bad_request', field: 'colour' });
  });

  it('a repeated query parameter is refused', async () => {
    const res = await http.get('/api/v1/messages?kind=a&kind=b');
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('kind');
  });
});

describe('OpenAPI document', () => {
  it('is served and lists exactly the routes express serves (methods and paths)', async () => {
    const res = await http.get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as { openapi: string; paths: Record<string, Record<string, { responses: object; parameters?: Array<{ name: string; in: string }> }>> };
    expect(doc.openapi).toMatch(/^3\.0\./);

    const { app } = createApp(tb, { token: null, readiness: { ready: true } });
    const served = servedRoutes(app)
      .filter((r) => !r.path.startsWith('/ui') && r.path !== '/')
      .map((r) => `${r.method.toUpperCase()} ${openApiPath(r.path)}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(served.length).toBeGreaterThan(25);
    expect(documented).toEqual(served);

    // every path parameter of a route is documented as one
    for (const [path, ops] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const op of Object.values(ops)) {
        expect(Object.keys(op.responses).length, path).toBeGreaterThan(0);
        expect((op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort(), path).toEqual(names);
      }
    }
  });

  it('has unique operation ids', async () => {
    const doc = (await http.get('/api/v1/openapi.json')).body as { paths: Record<string, Record<string, { operationId: string }>> };
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
