// Messages over HTTP: listing with every filter and paging, one message parsed and verified, the
// exact bytes (judged by curl and openssl), parts and attachments, read state, deletion.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Testbed } from '../../src/testbed/testbed.js';
import { opensslSmimeVerify } from '../helpers/openssl.js';
import { A, ALFA_RECEIPTS, type Api, B, B2, curl, enc, testbedForFile } from './helpers.js';

let tb: Testbed;
let http: Api;
let first: { identificativo: string; messageId: string };

const PDF = Buffer.from('%PDF-1.4 finto atto\n%%EOF\n');

testbedForFile((started) => ({ tb, http } = started));
beforeAll(async () => {
  const sent = await http.post('/api/v1/send', {
    from: A, to: [B], cc: [B2], subject: 'Pratica #7 àè', text: 'Si trasmette l\'atto.', html: '<p>Si trasmette <b>l\'atto</b>.</p><script>parent.x=1</script>',
    messageId: 'msg-test-1@app.test', attachments: [{ filename: 'atto.pdf', contentType: 'application/pdf', content: PDF.toString('base64') }],
  });
  expect(sent.status).toBe(200);
  first = sent.body;
  await http.get(`/api/v1/wait?mailbox=${enc(A)}&kind=avvenuta-consegna&msgid=${enc('msg-test-1@app.test')}&count=2`);
  for (let i = 0; i < 3; i++) await tb.send({ from: A, to: B, subject: `Serie ${i}` });
  await tb.waitFor({ mailbox: A, kind: 'avvenuta-consegna', count: 5 });
});

describe('listing', () => {
  it('per mailbox, oldest first, with kind, msgid, identificativo and subject filters', async () => {
    const all = await http.get(`/api/v1/mailboxes/${enc(A)}/messages`);
    expect(all.status).toBe(200);
    expect(all.body.messages.length).toBe(9); // 4 accettazioni + 5 avvenute consegne (two for To + Cc)
    const ids = all.body.messages.map((m: { id: number }) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const receipts = await http.get(`/api/v1/mailboxes/${enc(A)}/messages?kind=avvenuta-consegna&msgid=${enc('<msg-test-1@app.test>')}`);
    expect(receipts.body.messages).toHaveLength(2);
    for (const m of receipts.body.messages) {
      expect(m).toMatchObject({ mailbox: A, folder: 'INBOX', kind: 'avvenuta-consegna', refMessageId: '<msg-test-1@app.test>', identificativo: first.identificativo, seen: false });
    }
    const bare = await http.get(`/api/v1/mailboxes/${enc(A)}/messages?msgid=${enc('msg-test-1@app.test')}`);
    expect(bare.body.messages).toHaveLength(3); // accettazione + 2 consegne
    const byId = await http.get(`/api/v1/messages?identificativo=${enc(first.identificativo)}`);
    expect(byId.body.messages.map((m: { mailbox: string }) => m.mailbox).sort()).toEqual([A, A, A, ALFA_RECEIPTS, ALFA_RECEIPTS, B, B2].sort());
    const bySubject = await http.get(`/api/v1/mailboxes/${enc(A)}/messages?subject=${enc('serie 1')}`);
    expect(bySubject.body.messages.map((m: { kind: string }) => m.kind).sort()).toEqual(['accettazione', 'avvenuta-consegna']);
  });

  it('since: only messages stored at or after a virtual time', async () => {
    const all = (await http.get(`/api/v1/mailboxes/${enc(A)}/messages`)).body.messages;
    const pivot = all[all.length - 1].internalDate;
    const later = await http.get(`/api/v1/mailboxes/${enc(A)}/messages?since=${enc(pivot)}`);
    expect(later.body.messages.length).toBeGreaterThanOrEqual(1);
    for (const m of later.body.messages) expect(Date.parse(m.internalDate)).toBeGreaterThanOrEqual(Date.parse(pivot));
    const future = await http.get(`/api/v1/messages?since=${Date.parse(pivot) + 3_600_000}`);
    expect(future.body.messages).toEqual([]);
  });

  it('pages with limit / offset / next', async () => {
    const p1 = await http.get(`/api/v1/mailboxes/${enc(A)}/messages?limit=4`);
    expect(p1.body).toMatchObject({ limit: 4, offset: 0, next: 4 });
    const p2 = await http.get(`/api/v1/mailboxes/${enc(A)}/messages?limit=4&offset=4`);
    const p3 = await http.get(`/api/v1/mailboxes/${enc(A)}/messages?limit=4&offset=8`);
    expect(p3.body.next).toBeNull();
    const paged = [...p1.body.messages, ...p2.body.messages, ...p3.body.messages].map((m: { id: number }) => m.id);
    const all = (await http.get(`/api/v1/mailboxes/${enc(A)}/messages`)).body.messages.map((m: { id: number }) => m.id);
    expect(paged).toEqual(all);
  });

  it('folders: Sent is empty, an unknown folder is empty', async () => {
    expect((await http.get(`/api/v1/mailboxes/${enc(A)}/messages?folder=Sent`)).body.messages).toEqual([]);
  });

  it('bad filters are 400 naming the parameter; an unknown mailbox is 404', async () => {
    const cases: Array<[string, string]> = [
      ['limit=0', 'limit'], ['limit=abc', 'limit'], ['offset=-1', 'offset'], ['since=yesterday', 'since'], ['mailbox=nope', 'mailbox'], ['sort=asc', 'sort'],
    ];
    for (const [query, field] of cases) {
      const res = await http.get(`/api/v1/messages?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.field, query).toBe(field);
    }
    expect((await http.get(`/api/v1/mailboxes/${enc('ghost@pec.alfa.test')}/messages`)).status).toBe(404);
  });
});

describe('one message', () => {
  it('is parsed: headers, daticert, signature verdict, MIME tree, the original in postacert', async () => {
    const [hit] = tb.messages({ mailbox: A, kind: 'avvenuta-consegna', msgid: 'msg-test-1@app.test' }).filter((m) => m.parse().daticert?.consegna === B);
    const res = await http.get(`/api/v1/messages/${hit.id}`);
    expect(res.status).toBe(200);
    const m = res.body;
    expect(m).toMatchObject({ id: hit.id, mailbox: A, kind: 'avvenuta-consegna', pec: { kind: 'avvenuta-consegna', variant: 'avvenuta-consegna-completa', flavour: 'completa' } });
    expect(m.headers).toEqual(expect.arrayContaining([{ name: 'X-Ricevuta', value: 'avvenuta-consegna' }]));
    expect(m.daticert).toMatchObject({ tipo: 'avvenuta-consegna', consegna: B, identificativo: first.identificativo, msgid: '<msg-test-1@app.test>' });
    expect(m.signature).toMatchObject({ present: true, valid: true, chainValid: true, validAtSigningTime: true });
    expect(m.signature.signer.email).toBe('posta-certificata@pec.beta.test');
    expect(m.verdict.valid).toBe(true);
    expect(m.mime.mediaType).toBe('multipart/signed');
    expect(m.mime.children.map((c: { mediaType: string }) => c.mediaType)).toEqual(['multipart/mixed', 'application/pkcs7-signature']);
    expect(m.postacert).toMatchObject({ subject: 'Pratica #7 àè', filename: 'postacert.eml' });
    expect(m.postacert.attachments).toEqual([expect.objectContaining({ filename: 'atto.pdf', mediaType: 'application/pdf', size: PDF.length })]);
    expect(m.postacert.html).toContain('<b>l\'atto</b>');
  });

  it('raw bytes are exactly the stored bytes, as message/rfc822, and openssl verifies them (curl)', async () => {
    const [busta] = tb.messages({ mailbox: B, identificativo: first.identificativo });
    const res = await curl([`${tb.url}/api/v1/messages/${busta.id}/raw`]);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('message/rfc822');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="posta-certificata-\d+\.eml"/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.body.equals(busta.raw())).toBe(true);
    const verdict = opensslSmimeVerify(res.body, tb.caPem);
    expect(verdict.ok, verdict.output).toBe(true);
  });

  it('parts: postacert.eml, daticert.xml, and an attachment of the original (IMAP numbering)', async () => {
    const [busta] = tb.messages({ mailbox: B, identificativo: first.identificativo });
    const detail = (await http.get(`/api/v1/messages/${busta.id}`)).body;
    const pc = detail.postacert;
    const eml = await curl([`${tb.url}/api/v1/messages/${busta.id}/parts/${pc.path}`]);
    expect(eml.headers['content-type']).toBe('message/rfc822');
    expect(eml.body.equals(busta.parse().postacert!.raw)).toBe(true);

    const dati = detail.mime.children[0].children.find((c: { filename: string | null }) => c.filename === 'daticert.xml');
    const xml = await http.get(`/api/v1/messages/${busta.id}/parts/${dati.path}`);
    expect(xml.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(xml.text).toContain(`<identificativo>${first.identificativo}</identificativo>`);

    const attachment = pc.attachments[0];
    expect(attachment.path.startsWith(`${pc.path}.`)).toBe(true);
    const pdf = await curl([`${tb.url}/api/v1/messages/${busta.id}/parts/${attachment.path}`]);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toContain('filename="atto.pdf"');
    expect(pdf.body.equals(PDF)).toBe(true);
  });

  it('bad ids and parts: 400 naming the field, 404 for what does not exist', async () => {
    expect(await http.get('/api/v1/messages/abc')).toMatchObject({ status: 400, body: { field: 'id' } });
    expect(await http.get('/api/v1/messages/0')).toMatchObject({ status: 400, body: { field: 'id' } });
    expect((await http.get('/api/v1/messages/999999')).status).toBe(404);
    expect((await http.get('/api/v1/messages/999999/raw')).status).toBe(404);
    const [busta] = tb.messages({ mailbox: B, identificativo: first.identificativo });
    expect(await http.get(`/api/v1/messages/${busta.id}/parts/1.x`)).toMatchObject({ status: 400, body: { field: 'part' } });
    expect((await http.get(`/api/v1/messages/${busta.id}/parts/9.9`)).status).toBe(404);
  });

  it('marks read and unread; the \\Seen flag is what IMAP sees', async () => {
    const [acc] = tb.messages({ mailbox: A, kind: 'accettazione' });
    const read = await http.patch(`/api/v1/messages/${acc.id}`, { seen: true });
    expect(read.body).toMatchObject({ seen: true, flags: ['\\Seen'] });
    expect(tb.store.getMessage(acc.id)!.flags).toEqual(['\\Seen']);
    expect((await http.patch(`/api/v1/messages/${acc.id}`, { seen: false })).body.seen).toBe(false);
    expect(await http.patch(`/api/v1/messages/${acc.id}`, { seen: 'si' })).toMatchObject({ status: 400, body: { field: 'seen' } });
    expect(await http.patch(`/api/v1/messages/${acc.id}`, {})).toMatchObject({ status: 400, body: { field: 'seen' } });
    expect(await http.patch(`/api/v1/messages/${acc.id}`, undefined)).toMatchObject({ status: 400, body: { field: 'body' } });
  });

  it('deletes a message', async () => {
    const [one] = tb.messages({ mailbox: A, subject: 'Serie 0', kind: 'accettazione' });
    expect((await http.del(`/api/v1/messages/${one.id}`)).status).toBe(204);
    expect((await http.get(`/api/v1/messages/${one.id}`)).status).toBe(404);
    expect((await http.del(`/api/v1/messages/${one.id}`)).status).toBe(404);
  });
});
