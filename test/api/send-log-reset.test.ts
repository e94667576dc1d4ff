// Sending over HTTP (a real SMTP submission), the provider log in its three forms, the live event
// stream (SSE, judged by curl too), and reset with or without re-seeding the topology.
import { describe, expect, it } from 'vitest';
import type { Testbed } from '../../src/testbed/testbed.js';
import { A, type Api, B, curl, enc, testbedForFile } from './helpers.js';

let tb: Testbed;
let http: Api;

testbedForFile((started) => ({ tb, http } = started));

describe('send', () => {
  it('submits through the punto di accesso: the answer has the identificativo, the attachment arrives', async () => {
    const res = await http.post('/api/v1/send', {
      from: A, to: B, subject: 'Con allegati', text: 'In allegato.', receipt: 'breve', messageId: 'send-1@app.test',
      headers: { 'X-Applicazione': 'protocollo 1.0' },
      attachments: [
        { filename: 'atto.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF finto').toString('base64') },
        { filename: 'nota.txt', content: 'testo semplice', encoding: 'utf8' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ messageId: '<send-1@app.test>', accepted: [B], response: expect.stringMatching(/^250 /) });
    expect(res.body.identificativo).toMatch(/@pec\.alfa\.test$/);
    const [busta] = await tb.waitFor({ mailbox: B, kind: 'posta-certificata', identificativo: res.body.identificativo });
    const original = busta.parse().postacert!.parsed;
    expect(original.attachments.map((a) => a.filename)).toEqual(['atto.pdf', 'nota.txt']);
    expect(original.headers.get('x-applicazione')).toBe('protocollo 1.0');
    const [receipt] = await tb.waitFor({ mailbox: A, kind: 'avvenuta-consegna', msgid: 'send-1@app.test' });
    expect(receipt.parse().variant).toBe('avvenuta-consegna-breve');
    // the log shows it came through SMTP submission, like any application's message
    expect(tb.store.queryLog({ identificativo: res.body.identificativo, event: 'ricevuto' })[0].detail).toMatchObject({ from: A, rcptTo: [B] });
  });

  it('refuses bad input naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ to: B }, 'from'],
      [{ from: A }, 'to'],
      [{ from: 'nobody', to: B }, 'from'],
      [{ from: A, to: 'not-an-address' }, 'to'],
      [{ from: A, to: [] }, 'to'],
      [{ from: A, to: B, receipt: 'lunga' }, 'receipt'],
      [{ from: A, to: B, attachments: [{ content: 'eA==' }] }, 'attachments[0].filename'],
      [{ from: A, to: B, attachments: [{ filename: 'a', content: 'eA==', encoding: 'hex' }] }, 'attachments[0].encoding'],
      [{ from: A, to: B, headers: { 'X-A': 1 } }, 'headers.X-A'],
      [{ from: 'ghost@pec.alfa.test', to: B }, 'from'],
    ];
    for (const [body, field] of cases) {
      const res = await http.post('/api/v1/send', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.field, JSON.stringify(body)).toBe(field);
    }
  });

  it('an SMTP refusal is 422 with the SMTP reply (wrong password: 535)', async () => {
    const res = await http.post('/api/v1/send', { from: A, to: B, password: 'sbagliata' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'submission_refused', smtp: { code: 535 } });
  });

  it('a Bcc is accepted by SMTP and refused by the punto di accesso (non accettazione)', async () => {
    const res = await http.post('/api/v1/send', { from: A, to: B, bcc: 'mario.rossi@pec.beta.test', subject: 'Bcc', messageId: 'bcc-1@app.test' });
    expect(res.status).toBe(200);
    await tb.waitFor({ mailbox: A, kind: 'non-accettazione', msgid: 'bcc-1@app.test' });
  });
});

describe('log', () => {
  it('as JSON, filtered', async () => {
    const res = await http.get('/api/v1/log?actor=accesso&event=accettazione');
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThanOrEqual(1);
    for (const r of res.body) expect(r).toMatchObject({ actor: 'accesso', event: 'accettazione', gestore: 'alfa', at: expect.stringMatching(/Z$/) });
    const byMsgid = await http.get(`/api/v1/log?msgid=${enc('send-1@app.test')}`);
    expect(byMsgid.body.map((r: { event: string }) => r.event)).toEqual(expect.arrayContaining(['ricevuto', 'accettazione']));
    const after = await http.get(`/api/v1/log?after=${res.body[0].id}&limit=2`);
    expect(after.body).toHaveLength(2);
    expect(after.body[0].id).toBeGreaterThan(res.body[0].id);
  });

  it('exported as NDJSON and as one line per event (curl)', async () => {
    const nd = await curl([`${tb.url}/api/v1/log?format=ndjson`]);
    expect(nd.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = nd.body.toString().trim().split('\n');
    expect(lines.length).toBe((await http.get('/api/v1/log')).body.length);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('event');
    const text = await curl([`${tb.url}/api/v1/log?format=text&actor=accesso`]);
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    for (const line of text.body.toString().trim().split('\n')) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\S+Z alfa accesso \S+/);
  });

  it('bad parameters are 400 naming them', async () => {
    expect((await http.get('/api/v1/log?format=xml')).body.field).toBe('format');
    expect((await http.get('/api/v1/log?limit=0')).body.field).toBe('limit');
    expect((await http.get('/api/v1/log?since=ieri')).body.field).toBe('since');
  });
});

describe('events (SSE)', () => {
  it('streams every log event of one message as it is committed', async () => {
    const aborter = new AbortController();
    const res = await fetch(`${tb.url}/api/v1/events`, { signal: aborter.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const sent = await tb.send({ from: A, to: B, subject: 'In diretta', messageId: 'sse-1@app.test' });
    const seen: Array<{ id: number; event: string; identificativo: string }> = [];
    let buffer = '';
    while (!seen.some((e) => e.event === 'avvenuta-consegna' && e.identificativo === sent.identificativo)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += Buffer.from(value).toString();
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(block)?.[1];
        const id = /^id: (\d+)$/m.exec(block)?.[1];
        if (data) {
          const record = JSON.parse(data);
          expect(Number(id)).toBe(record.id);
          expect(/^event: log$/m.test(block)).toBe(true);
          seen.push(record);
        }
      }
    }
    aborter.abort();
    const mine = seen.filter((e) => e.identificativo === sent.identificativo).map((e) => e.event);
    expect(mine).toEqual(expect.arrayContaining(['ricevuto', 'accettazione', 'presa-in-carico', 'avvenuta-consegna']));
  });

  it('replays what a reconnecting client missed (Last-Event-ID), filtered by identificativo (curl)', async () => {
    const sent = await tb.send({ from: A, to: B, subject: 'Rilettura' });
    await tb.waitFor({ mailbox: A, kind: 'avvenuta-consegna', identificativo: sent.identificativo! });
    const res = await curl(['-N', '-H', 'Last-Event-ID: 0', `${tb.url}/api/v1/events?identificativo=${enc(sent.identificativo!)}`], 2000);
    expect(res.status).toBe(200);
    const events = [...res.body.toString().matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]));
    expect(events.length).toBeGreaterThanOrEqual(4);
    for (const e of events) expect(e.identificativo).toBe(sent.identificativo);
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['accettazione', 'avvenuta-consegna']));
  });

  it('bad parameters are 400', async () => {
    expect((await http.get('/api/v1/events?after=-1')).body.field).toBe('after');
  });
});

describe('reset', () => {
  it('keeps the topology and created mailboxes, empties messages, flows and log', async () => {
    await http.post('/api/v1/mailboxes', { address: 'temporanea@pec.beta.test' });
    await http.patch(`/api/v1/mailboxes/${enc(B)}`, { password: 'cambiata' });
    const res = await http.post('/api/v1/reset');
    expect(res).toMatchObject({ status: 200, body: { reset: true, reseed: false } });
    expect((await http.get('/api/v1/messages')).body.messages).toEqual([]);
    expect((await http.get('/api/v1/log')).body).toEqual([]);
    expect((await http.get('/api/v1/flows')).body).toEqual([]);
    expect((await http.get(`/api/v1/mailboxes/${enc('temporanea@pec.beta.test')}`)).status).toBe(200);
    expect((await http.get(`/api/v1/mailboxes/${enc(B)}`)).body.password).toBe('cambiata');
    // and the testbed works on
    const sent = await tb.send({ from: A, to: B, subject: 'Dopo il reset' });
    await tb.waitFor({ mailbox: A, kind: 'avvenuta-consegna', identificativo: sent.identificativo! });
  });

  it('re-seeds: created mailboxes go, the scenario\'s passwords come back', async () => {
    const res = await http.post('/api/v1/reset', { reseed: true });
    expect(res.body).toEqual({ reset: true, reseed: true });
    expect((await http.get(`/api/v1/mailboxes/${enc('temporanea@pec.beta.test')}`)).status).toBe(404);
    expect((await http.get(`/api/v1/mailboxes/${enc(B)}`)).body.password).toBe('pec');
    expect((await http.get('/api/v1/messages')).body.messages).toEqual([]);
  });

  it('refuses bad input', async () => {
    expect((await http.post('/api/v1/reset', { reseed: 'yes' })).body.field).toBe('reseed');
    expect((await http.post('/api/v1/reset', { everything: true })).body.field).toBe('everything');
  });
});
