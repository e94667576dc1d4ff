// What /send (and tb.send) could not deliver as given is refused, not quietly changed: a client
// Message-ID that is no RFC 5322 msg-id (the receipts could never name it), attachment content
// that is not base64 (it would arrive empty or cut), a header name the mail library would rewrite.
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { SendRequestError } from '../../src/testbed/send.js';
import type { Testbed } from '../../src/testbed/testbed.js';
import { A, type Api, B, curl, testbedForFile } from './helpers.js';

let tb: Testbed;
let http: Api;

testbedForFile((started) => ({ tb, http } = started));

const flowCount = () => tb.store.findFlows({ limit: 1000 }).length;

describe('POST /send refuses what it would drop or change', () => {
  it('answers 400 naming the field, and sends nothing', async () => {
    const flows = flowCount();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ messageId: '<a\r\nb>' }, 'messageId'],
      [{ messageId: 'a b@app.test' }, 'messageId'],
      [{ messageId: 'senza-chiocciola' }, 'messageId'],
      [{ messageId: '<a@b>>' }, 'messageId'],
      [{ messageId: 'a..b@app.test' }, 'messageId'],
      [{ attachments: [{ filename: 'a', content: '!!!' }] }, 'attachments[0].content'],
      [{ attachments: [{ filename: 'ok', content: 'aGVsbG8=' }, { filename: 'b', content: 'aGVsbG8' }] }, 'attachments[1].content'],
      [{ attachments: [{ filename: 'a', content: 'aGVs bG8=' }] }, 'attachments[0].content'],
      [{ attachments: [{ filename: 'a', content: 'aGVs=G8=' }] }, 'attachments[0].content'],
      [{ attachments: [{ filename: 'a', content: 'aGVsb===' }] }, 'attachments[0].content'],
      [{ headers: { 'Bad Name:': 'v' } }, 'headers.Bad Name:'],
      [{ headers: { 'X-Àccento': 'v' } }, 'headers.X-Àccento'],
      [{ headers: { 'X-A': 'v', 'Message-ID': '<x y@app.test>' } }, 'headers.Message-ID'],
    ];
    for (const [extra, field] of cases) {
      const res = await http.post('/api/v1/send', { from: A, to: B, subject: 'Rifiutato', ...extra });
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(res.body, JSON.stringify(extra)).toMatchObject({ error: 'bad_request', field });
    }
    expect(flowCount()).toBe(flows);
  });

  it('curl sees the CR LF Message-ID refused, not echoed', async () => {
    const res = await curl(['-X', 'POST', `${tb.url}/api/v1/send`, '-H', 'Content-Type: application/json',
      '-d', JSON.stringify({ from: A, to: B, messageId: '<a\r\nb>' })]);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString())).toMatchObject({ field: 'messageId' });
  });

  it('accepts what it can carry exactly: the msg-id the receipts then name, wrapped base64, field names with odd characters', async () => {
    const content = Buffer.from('contenuto '.repeat(20));
    const wrapped = content.toString('base64').replace(/.{76}/g, '$&\r\n');
    const res = await http.post('/api/v1/send', {
      from: A, to: B, subject: 'Accettato', messageId: "o'brien.1+x@[127.0.0.1]",
      headers: { 'X-App_Ver.2': 'uno' },
      attachments: [{ filename: 'a.txt', contentType: 'text/plain', content: wrapped }],
    });
    expect(res.status).toBe(200);
    expect(res.body.messageId).toBe("<o'brien.1+x@[127.0.0.1]>");
    const [receipt] = await tb.waitFor({ mailbox: A, kind: 'avvenuta-consegna', msgid: res.body.messageId });
    expect(receipt.refMessageId).toBe("<o'brien.1+x@[127.0.0.1]>");
    const [busta] = await tb.waitFor({ mailbox: B, kind: 'posta-certificata', identificativo: res.body.identificativo });
    const original = await simpleParser(busta.parse().postacert!.raw);
    expect(original.headers.get('x-app_ver.2')).toBe('uno');
    expect(original.attachments.map((a) => a.content.equals(content))).toEqual([true]);
  });
});

describe('POST /send with a large attachment', () => {
  it('takes 4 MB of base64 and delivers it byte for byte (the check is linear: it once overflowed the stack)', async () => {
    const content = Buffer.alloc(4_000_000);
    for (let i = 0; i < content.length; i++) content[i] = (i * 131 + (i >> 9)) & 0xff;
    const res = await http.post('/api/v1/send', {
      from: A, to: B, subject: 'Allegato grande',
      attachments: [{ filename: 'grande.bin', contentType: 'application/octet-stream', content: content.toString('base64') }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [busta] = await tb.waitFor({ mailbox: B, kind: 'posta-certificata', identificativo: res.body.identificativo });
    const original = await simpleParser(busta.parse().postacert!.raw);
    expect(original.attachments.map((a) => a.content.equals(content))).toEqual([true]);
  });
});

describe('tb.send refuses the same, with a SendRequestError naming the field', () => {
  it('before anything is sent', async () => {
    const flows = flowCount();
    await expect(tb.send({ from: A, to: B, messageId: '<a\r\nb>' })).rejects.toMatchObject({ name: 'SendRequestError', field: 'messageId' });
    await expect(tb.send({ from: A, to: B, headers: { 'Bad Name:': 'v' } })).rejects.toBeInstanceOf(SendRequestError);
    await expect(tb.send({ from: A, to: B, date: 'ieri' })).rejects.toMatchObject({ field: 'date' });
    expect(flowCount()).toBe(flows);
  });
});
