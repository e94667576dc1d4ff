// Provisioning mailboxes at run time over HTTP, and the effect each change has on the real
// servers: a new password works for SMTP AUTH, a quota or a disabled mailbox turns delivery into
// errore-consegna, a deleted mailbox becomes no-dest.
import { describe, expect, it } from 'vitest';
import type { Testbed } from '../../src/testbed/testbed.js';
import { A, ALFA_RECEIPTS, type Api, curl, enc, testbedForFile } from './helpers.js';

let tb: Testbed;
let http: Api;

testbedForFile((started) => ({ tb, http } = started));

describe('listing', () => {
  it('lists every mailbox with gestore, password and counts; filters by gestore and domain', async () => {
    const all = await http.get('/api/v1/mailboxes');
    expect(all.status).toBe(200);
    expect(all.body.map((m: { address: string }) => m.address)).toEqual(expect.arrayContaining([A, ALFA_RECEIPTS, 'cittadino@posta.ordinaria.test']));
    expect(all.body.find((m: { address: string }) => m.address === A)).toMatchObject({ gestore: 'alfa', password: 'pec', enabled: true, quotaBytes: null, messages: 0 });
    const ordinary = await http.get('/api/v1/mailboxes?gestore=ordinaria');
    expect(ordinary.body.map((m: { address: string }) => m.address)).toEqual(['cittadino@posta.ordinaria.test']);
    const mineo = await http.get('/api/v1/mailboxes?domain=pec.comune-mineo.test');
    expect(mineo.body.map((m: { address: string }) => m.address)).toEqual(['protocollo@pec.comune-mineo.test']);
  });

  it('gives one mailbox with its folders; 404 for an unknown one, 400 for a non-address', async () => {
    const one = await http.get(`/api/v1/mailboxes/${enc(A)}`);
    expect(one.body.folders.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['INBOX', 'Sent', 'Trash']));
    expect((await http.get(`/api/v1/mailboxes/${enc('nobody@pec.alfa.test')}`)).status).toBe(404);
    const bad = await http.get('/api/v1/mailboxes/not-an-address');
    expect(bad).toMatchObject({ status: 400, body: { field: 'address' } });
  });
});

describe('provisioning', () => {
  const mine = 'isolata.1@pec.beta.test';

  it('creates a mailbox that can receive PEC and log in', async () => {
    const created = await http.post('/api/v1/mailboxes', { address: mine, password: 'segreta' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ address: mine, gestore: 'beta', password: 'segreta', enabled: true });
    const sent = await tb.send({ from: A, to: mine, subject: 'Benvenuta' });
    const [busta] = await tb.waitFor({ mailbox: mine, kind: 'posta-certificata', identificativo: sent.identificativo! });
    expect(busta.subject).toBe('POSTA CERTIFICATA: Benvenuta');
    // the new mailbox sends with its own password through the real submission port
    const back = await tb.send({ from: mine, to: A, subject: 'Risposta', password: 'segreta' });
    expect(back.identificativo).toMatch(/@pec\.beta\.test$/);
  });

  it('refuses bad input with 4xx naming the field', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{}, 400, 'address'],
      [{ address: 'not an address' }, 400, 'address'],
      [{ address: 'x@example.org' }, 400, 'address'],
      [{ address: mine }, 409, 'address'],
      [{ address: 'y@pec.beta.test', quotaBytes: -1 }, 400, 'quotaBytes'],
      [{ address: 'y@pec.beta.test', enabled: 'yes' }, 400, 'enabled'],
      [{ address: 'y@pec.beta.test', colour: 'blue' }, 400, 'colour'],
      [[1, 2], 400, 'body'],
    ];
    for (const [body, status, field] of cases) {
      const res = await http.post('/api/v1/mailboxes', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.field, JSON.stringify(body)).toBe(field);
      expect(typeof res.body.message).toBe('string');
    }
  });

  it('refuses a body that is not JSON (curl)', async () => {
    const notJson = await curl(['-X', 'POST', '-H', 'Content-Type: application/json', '--data', '{"address":', `${tb.url}/api/v1/mailboxes`]);
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body.toString())).toMatchObject({ error: 'bad_request', field: 'body' });
    const form = await curl(['-X', 'POST', '--data', 'address=x@pec.beta.test', `${tb.url}/api/v1/mailboxes`]);
    expect(form.status).toBe(415);
    expect(JSON.parse(form.body.toString()).field).toBe('body');
  });

  it('changes the password at run time: SMTP AUTH follows', async () => {
    const res = await http.patch(`/api/v1/mailboxes/${enc(mine)}`, { password: 'nuova' });
    expect(res).toMatchObject({ status: 200, body: { password: 'nuova' } });
    await expect(tb.send({ from: mine, to: A, subject: 'x', password: 'segreta' })).rejects.toMatchObject({ responseCode: 535 });
    await expect(tb.send({ from: mine, to: A, subject: 'x', password: 'nuova' })).resolves.toMatchObject({ identificativo: expect.any(String) });
  });

  it('a quota too small makes delivery fail with errore-consegna altro', async () => {
    expect((await http.patch(`/api/v1/mailboxes/${enc(mine)}`, { quotaBytes: 10 })).body.quotaBytes).toBe(10);
    const sent = await tb.send({ from: A, to: mine, subject: 'Troppo grande' });
    const [err] = await tb.waitFor({ mailbox: A, kind: 'errore-consegna', identificativo: sent.identificativo! });
    expect(err.parse().daticert?.errore).toBe('altro');
    await http.patch(`/api/v1/mailboxes/${enc(mine)}`, { quotaBytes: null });
  });

  it('a disabled mailbox refuses delivery', async () => {
    await http.patch(`/api/v1/mailboxes/${enc(mine)}`, { enabled: false });
    const sent = await tb.send({ from: A, to: mine, subject: 'Disabilitata' });
    const [err] = await tb.waitFor({ mailbox: A, kind: 'errore-consegna', identificativo: sent.identificativo! });
    expect(err.parse().daticert?.consegna).toBe(mine);
    await http.patch(`/api/v1/mailboxes/${enc(mine)}`, { enabled: true });
  });

  it('PATCH refuses an empty change, bad types and unknown mailboxes', async () => {
    expect((await http.patch(`/api/v1/mailboxes/${enc(mine)}`, {})).body.field).toBe('body');
    expect((await http.patch(`/api/v1/mailboxes/${enc(mine)}`, { password: '' })).body.field).toBe('password');
    expect((await http.patch(`/api/v1/mailboxes/${enc('ghost@pec.beta.test')}`, { password: 'x' })).status).toBe(404);
  });

  it('deletes a mailbox: later mail to it is no-dest; receipt mailboxes are protected', async () => {
    expect((await http.del(`/api/v1/mailboxes/${enc(mine)}`)).status).toBe(204);
    expect((await http.del(`/api/v1/mailboxes/${enc(mine)}`)).status).toBe(404);
    const sent = await tb.send({ from: A, to: mine, subject: 'Dopo la cancellazione' });
    const [err] = await tb.waitFor({ mailbox: A, kind: 'errore-consegna', identificativo: sent.identificativo! });
    expect(err.parse().daticert?.errore).toBe('no-dest');
    const protectedBox = await http.del(`/api/v1/mailboxes/${enc(ALFA_RECEIPTS)}`);
    expect(protectedBox).toMatchObject({ status: 409, body: { field: 'address' } });
  });
});
