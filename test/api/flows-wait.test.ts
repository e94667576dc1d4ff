// Waiting without sleeping (the long-poll wakes on the store's change events) and the journey of
// one message: events with virtual time and actor, the messages they produced, recipient states.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Testbed } from '../../src/testbed/testbed.js';
import { pendingWaits } from '../../src/testbed/wait.js';
import { A, ALFA_RECEIPTS, type Api, B, B2, curl, enc, testbedForFile } from './helpers.js';

let tb: Testbed;
let http: Api;

testbedForFile((started) => ({ tb, http } = started));

describe('wait', () => {
  it('a wait started before sending answers once the receipt is stored', async () => {
    const waiting = http.get(`/api/v1/wait?mailbox=${enc(A)}&kind=avvenuta-consegna&msgid=${enc('wait-1@app.test')}&timeout=20s`);
    await vi.waitFor(() => expect(pendingWaits()).toBe(1));
    const sent = await http.post('/api/v1/send', { from: A, to: B, subject: 'Attesa', messageId: 'wait-1@app.test' });
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.body.messages).toEqual([expect.objectContaining({ mailbox: A, kind: 'avvenuta-consegna', refMessageId: '<wait-1@app.test>', identificativo: sent.body.identificativo })]);
    expect(pendingWaits()).toBe(0);
  });

  it('answers at once when the messages exist already, and waits for count', async () => {
    const now = await http.get(`/api/v1/wait?mailbox=${enc(A)}&kind=accettazione&msgid=${enc('<wait-1@app.test>')}`);
    expect(now.body.messages).toHaveLength(1);
    const waiting = curl([`${tb.url}/api/v1/wait?mailbox=${enc(A)}&kind=avvenuta-consegna&msgid=wait-2%40app.test&count=2&timeout=20s`]);
    await tb.send({ from: A, to: B, cc: B2, subject: 'Due destinatari', messageId: 'wait-2@app.test' });
    const res = await waiting;
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body.toString());
    expect(body.messages).toHaveLength(2);
  });

  it('waits on any mailbox, e.g. the presa in carico in the gestore\'s receipt mailbox', async () => {
    const sent = await tb.send({ from: A, to: B, subject: 'Presa' });
    const res = await http.get(`/api/v1/wait?kind=presa-in-carico&identificativo=${enc(sent.identificativo!)}`);
    expect(res.body.messages[0]).toMatchObject({ mailbox: ALFA_RECEIPTS, kind: 'presa-in-carico' });
  });

  it('times out with 408, the reason and what it found', async () => {
    const res = await http.get(`/api/v1/wait?mailbox=${enc(A)}&kind=avvenuta-consegna&msgid=${enc('wait-1@app.test')}&count=3&timeout=300ms`);
    expect(res.status).toBe(408);
    expect(res.body).toMatchObject({ error: 'timeout' });
    expect(res.body.messages).toHaveLength(1);
    expect(pendingWaits()).toBe(0);
  });

  it('a client that goes away releases its waiter', async () => {
    const aborter = new AbortController();
    const gone = http.get(`/api/v1/wait?kind=never-ever&timeout=60s`, { signal: aborter.signal }).catch((e: Error) => e);
    await vi.waitFor(() => expect(pendingWaits()).toBe(1));
    aborter.abort();
    expect(await gone).toBeInstanceOf(Error);
    await vi.waitFor(() => expect(pendingWaits()).toBe(0));
  });

  it('bad parameters: 400 naming them; unknown mailbox: 404', async () => {
    const cases: Array<[string, string]> = [['count=0', 'count'], ['timeout=soon', 'timeout'], ['timeout=10m', 'timeout'], ['kind=a&kind=b', 'kind'], ['mailbox=x', 'mailbox'], ['until=1', 'until']];
    for (const [query, field] of cases) {
      const res = await http.get(`/api/v1/wait?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.field, query).toBe(field);
    }
    expect((await http.get(`/api/v1/wait?mailbox=${enc('ghost@pec.alfa.test')}`)).status).toBe(404);
  });
});

describe('flows', () => {
  let identificativo: string;

  beforeAll(async () => {
    const sent = await tb.send({ from: A, to: [B, 'cittadino@posta.ordinaria.test'], cc: B2, subject: 'Percorso', messageId: 'flow-1@app.test' });
    identificativo = sent.identificativo!;
    await tb.waitFor({ mailbox: A, kind: 'avvenuta-consegna', identificativo, count: 2 });
    await tb.idle();
  });

  it('by identificativo: events with virtual time, actor and the message each produced; recipient states', async () => {
    const res = await http.get(`/api/v1/flows/${enc(identificativo)}`);
    expect(res.status).toBe(200);
    const flow = res.body;
    expect(flow).toMatchObject({ identificativo, accepted: true, gestore: 'alfa', sender: A, clientMessageId: '<flow-1@app.test>', subject: 'Percorso', receiptType: 'completa' });
    expect(flow.recipients).toEqual([
      expect.objectContaining({ address: B, type: 'certificato', header: 'to', state: 'delivered' }),
      expect.objectContaining({ address: 'cittadino@posta.ordinaria.test', type: 'esterno', state: 'external' }),
      expect.objectContaining({ address: B2, header: 'cc', state: 'delivered' }),
    ]);
    const names = flow.events.map((e: { gestore: string; actor: string; event: string }) => `${e.gestore}:${e.actor}:${e.event}`);
    expect(names).toEqual(expect.arrayContaining(['alfa:accesso:ricevuto', 'alfa:accesso:accettazione', 'beta:ricezione:presa-in-carico', 'beta:consegna:avvenuta-consegna']));
    for (const e of flow.events) expect(Number.isNaN(Date.parse(e.at))).toBe(false);
    const times = flow.events.map((e: { at: string }) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const acc = flow.events.find((e: { event: string }) => e.event === 'accettazione');
    expect(acc.message).toMatchObject({ mailbox: A, kind: 'accettazione' });
    const presa = flow.events.find((e: { event: string }) => e.event === 'presa-in-carico');
    expect(presa.message).toMatchObject({ mailbox: ALFA_RECEIPTS, kind: 'presa-in-carico' });
    const consegne = flow.events.filter((e: { actor: string; event: string }) => e.actor === 'consegna' && e.event === 'avvenuta-consegna');
    expect(consegne.map((e: { message: { mailbox: string; kind: string } }) => [e.message.mailbox, e.message.kind])).toEqual([[A, 'avvenuta-consegna'], [A, 'avvenuta-consegna']]);
    const busta = flow.events.find((e: { event: string }) => e.event === 'busta-emessa');
    expect(busta.message.kind).toBe('posta-certificata');
    expect(flow.messages.length).toBeGreaterThanOrEqual(8);
  });

  it('by client Message-ID, with or without brackets', async () => {
    for (const key of ['flow-1@app.test', '<flow-1@app.test>']) {
      const res = await http.get(`/api/v1/flows/${enc(key)}`);
      expect(res.body.identificativo, key).toBe(identificativo);
    }
  });

  it('a message refused at acceptance has a journey too (no flow record)', async () => {
    const sent = await tb.send({ from: A, to: B, bcc: B2, subject: 'Con Bcc', messageId: 'refused-1@app.test' });
    await tb.waitFor({ mailbox: A, kind: 'non-accettazione', msgid: 'refused-1@app.test' });
    const res = await http.get(`/api/v1/flows/${enc('refused-1@app.test')}`);
    expect(res.body).toMatchObject({ identificativo: sent.identificativo, accepted: false, sender: A, recipients: [] });
    const refusal = res.body.events.find((e: { event: string }) => e.event === 'non-accettazione');
    expect(refusal.message).toMatchObject({ kind: 'non-accettazione', mailbox: A });
  });

  it('lists flows, filtered by client Message-ID; unknown keys are 404', async () => {
    const list = await http.get(`/api/v1/flows?msgid=${enc('flow-1@app.test')}`);
    expect(list.body.map((f: { identificativo: string }) => f.identificativo)).toEqual([identificativo]);
    expect((await http.get(`/api/v1/flows?sender=${enc(A)}`)).body.length).toBeGreaterThanOrEqual(4);
    expect((await http.get(`/api/v1/flows?sender=nope`)).body.field).toBe('sender');
    const missing = await http.get(`/api/v1/flows/${enc('never-sent@app.test')}`);
    expect(missing).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });
});
