// The IMAP server judged by imapflow, a client written by others: login, STARTTLS, listing with
// special-use, SELECT/EXAMINE, byte-exact sections of a signed PEC-shaped message, BODYSTRUCTURE,
// flags, SEARCH, COPY/MOVE/EXPUNGE with UIDPLUS, APPEND to Sent, and IDLE push.

import fs from 'node:fs';
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedMessage, type SignedFixture } from './fixtures/signed-message.js';
import { PASSWORD, simpleMessage, startFixture, USER, type Fixture } from './helpers.js';

let f: Fixture;
let signed: SignedFixture;

function client(options: { port?: number; secure?: boolean; pass?: string } = {}): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: options.port ?? f.port,
    secure: options.secure ?? false,
    auth: { user: USER, pass: options.pass ?? PASSWORD },
    tls: { ca: f.caPem, servername: 'localhost' },
    logger: false,
    disableAutoIdle: true,
  });
}

async function withClient<T>(fn: (c: ImapFlow) => Promise<T>, options?: Parameters<typeof client>[0]): Promise<T> {
  const c = client(options);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout().catch(() => {});
  }
}

beforeAll(async () => {
  f = await startFixture({ limits: { loginFailureDelayMs: 50 } });
  signed = buildSignedMessage();
});

afterAll(async () => {
  await f?.close();
  if (signed) fs.rmSync(signed.dir, { recursive: true, force: true });
});

describe('login and TLS', () => {
  it('logs in over STARTTLS on the plain port and over implicit TLS', async () => {
    const plain = client();
    await plain.connect();
    // the connection started in the clear and was upgraded before LOGIN
    expect(f.events.some((e) => e.event === 'imap.connect' && e.detail.secure === false)).toBe(true);
    expect(plain.secureConnection).toBe(true);
    expect(plain.authenticated).toBeTruthy();
    expect(plain.capabilities.has('STARTTLS')).toBe(false);
    expect(f.events.some((e) => e.event === 'imap.login' && e.detail.secure === true)).toBe(true);
    await plain.logout();

    const tls = client({ port: f.tlsPort, secure: true });
    await tls.connect();
    expect(tls.secureConnection).toBe(true);
    expect(tls.capabilities.has('IDLE')).toBe(true);
    expect(tls.capabilities.has('UIDPLUS')).toBe(true);
    expect(tls.capabilities.has('MOVE')).toBe(true);
    await tls.logout();
  });

  it('refuses a wrong password with AUTHENTICATIONFAILED', async () => {
    const c = client({ pass: 'wrong' });
    await expect(c.connect()).rejects.toMatchObject({ authenticationFailed: true });
    c.close();
  });
});

describe('mailboxes', () => {
  it('lists INBOX, Sent and Trash with special-use; LSUB follows subscriptions; CREATE/RENAME/DELETE', async () => {
    await withClient(async (c) => {
      const list = await c.list();
      const byPath = new Map(list.map((m) => [m.path, m]));
      expect([...byPath.keys()]).toEqual(expect.arrayContaining(['INBOX', 'Sent', 'Trash']));
      expect(byPath.get('Sent')!.flags.has('\\Sent')).toBe(true);
      expect(byPath.get('Trash')!.flags.has('\\Trash')).toBe(true);
      expect(byPath.get('Sent')!.specialUse).toBe('\\Sent');

      await c.mailboxCreate('Archivio/2024');
      await c.mailboxCreate('Pratiche àè');
      await c.mailboxUnsubscribe('Trash');
      const after = await c.list();
      const archivio = after.find((m) => m.path === 'Archivio')!;
      expect(archivio.flags.has('\\HasChildren')).toBe(true);
      expect(after.find((m) => m.path === 'Archivio/2024')).toBeTruthy();
      expect(after.find((m) => m.path === 'Pratiche àè')).toBeTruthy();
      expect(after.find((m) => m.path === 'Trash')!.subscribed).toBeFalsy();
      expect(after.find((m) => m.path === 'INBOX')!.subscribed).toBe(true);

      await c.mailboxRename('Archivio', 'Storico');
      const renamed = (await c.list()).map((m) => m.path);
      expect(renamed).toEqual(expect.arrayContaining(['Storico', 'Storico/2024']));
      expect(renamed).not.toContain('Archivio/2024');
      await c.mailboxDelete('Storico/2024');
      await c.mailboxDelete('Storico');
      await c.mailboxDelete('Pratiche àè');
      await c.mailboxSubscribe('Trash');
      // imapflow turns NO [ALREADYEXISTS] into created: false
      await expect(c.mailboxCreate('INBOX')).resolves.toMatchObject({ created: false });
      expect(f.store.listFolders(USER).map((x) => x.name).sort()).toEqual(['INBOX', 'Sent', 'Trash']);
    });
  });

  it('SELECT and EXAMINE report counts, UIDVALIDITY, UIDNEXT and read-only state', async () => {
    const folder = f.store.createFolder(USER, 'Examine');
    f.store.appendMessage(folder.id, simpleMessage('e1'), { flags: ['\\Seen'] });
    f.store.appendMessage(folder.id, simpleMessage('e2'));
    await withClient(async (c) => {
      const box = await c.mailboxOpen('Examine', { readOnly: true });
      expect(box.exists).toBe(2);
      expect(box.readOnly).toBe(true);
      expect(box.uidValidity).toBe(BigInt(folder.uidValidity));
      expect(box.uidNext).toBe(3);
      expect(box.permanentFlags?.size ?? 0).toBe(0);
      // read-only: a body fetch does not set \Seen, STORE is refused
      await expect(c.messageFlagsAdd('1', ['\\Flagged'])).resolves.toBe(false);
      const rw = await c.mailboxOpen('Examine');
      expect(rw.readOnly).toBe(false);
      expect(rw.unseen).toBe(2); // first unseen message number
      expect(rw.permanentFlags?.has('\\*')).toBe(true);
      const status = await c.status('Examine', { messages: true, unseen: true, uidNext: true, uidValidity: true });
      expect(status).toMatchObject({ messages: 2, unseen: 1, uidNext: 3, uidValidity: BigInt(folder.uidValidity) });
    });
    expect(f.store.listMessages(folder.id).every((m) => !m.flags.includes('\\Flagged'))).toBe(true);
  });
});

describe('fetching the signed PEC-shaped message', () => {
  let uid: number;
  beforeAll(() => {
    const folder = f.store.createFolder(USER, 'Signed');
    uid = f.store.appendMessage(folder.id, signed.raw).uid;
  });

  it('returns BODY[] byte for byte and the exact bytes of nested sections', async () => {
    await withClient(async (c) => {
      await c.mailboxOpen('Signed');
      const msg = (await c.fetchOne(String(uid), {
        source: true,
        bodyParts: ['1.mime', '1', '1.2', '1.3', '1.3.header', '1.3.text', '1.3.1', '2.mime', '1.1.2'],
      }, { uid: true })) as FetchMessageObject;
      expect(msg.source!.equals(signed.raw)).toBe(true);
      const parts = msg.bodyParts!;
      // what was signed is the part's MIME header plus its body (BODY[1] alone has no header)
      expect(Buffer.concat([parts.get('1.mime')!, parts.get('1')!]).equals(signed.signedContent)).toBe(true);
      expect(parts.get('1.2')!.equals(signed.daticertBody)).toBe(true);
      expect(parts.get('1.3')!.equals(signed.postacert)).toBe(true);
      expect(parts.get('1.3.header')!.equals(signed.postacertHeader)).toBe(true);
      expect(parts.get('1.3.text')!.equals(signed.postacertText)).toBe(true);
      expect(parts.get('1.3.1')!.equals(signed.postacertPart1)).toBe(true);
      expect(parts.get('2.mime')!.toString()).toMatch(/^Content-Type: application\/(x-)?pkcs7-signature/i);
      expect(parts.get('1.1.2')!.toString()).toBe('<p>Messaggio di posta certificata</p>');
    });
  });

  it('serves partials <origin.length> of the whole message and of a part', async () => {
    await withClient(async (c) => {
      await c.mailboxOpen('Signed');
      const head = await c.fetchOne(String(uid), { source: { start: 0, maxLength: 100 } }, { uid: true });
      expect((head as FetchMessageObject).source!.equals(signed.raw.subarray(0, 100))).toBe(true);
      const mid = await c.fetchOne(String(uid), { bodyParts: [{ key: '1.3', start: 10, maxLength: 25 }] }, { uid: true });
      expect((mid as FetchMessageObject).bodyParts!.get('1.3')!.equals(signed.postacert.subarray(10, 35))).toBe(true);
      const beyond = await c.fetchOne(String(uid), { source: { start: signed.raw.length + 5, maxLength: 10 } }, { uid: true });
      expect((beyond as FetchMessageObject).source?.length ?? 0).toBe(0);
    });
  });

  it('describes multipart/signed > mixed > alternative + xml + message/rfc822 in BODYSTRUCTURE', async () => {
    await withClient(async (c) => {
      await c.mailboxOpen('Signed');
      const msg = (await c.fetchOne(String(uid), { bodyStructure: true, envelope: true }, { uid: true })) as FetchMessageObject;
      const bs = msg.bodyStructure!;
      expect(bs.type).toBe('multipart/signed');
      expect(bs.parameters?.protocol).toMatch(/pkcs7-signature/);
      const [mixed, signature] = bs.childNodes!;
      expect(mixed.type).toBe('multipart/mixed');
      expect(signature.type).toMatch(/application\/(x-)?pkcs7-signature/);
      expect(signature.part).toBe('2');
      const [alternative, daticert, postacert] = mixed.childNodes!;
      expect(alternative.type).toBe('multipart/alternative');
      expect(alternative.childNodes!.map((n) => [n.part, n.type, n.encoding])).toEqual([
        ['1.1.1', 'text/plain', 'quoted-printable'],
        ['1.1.2', 'text/html', '7bit'],
      ]);
      expect(daticert).toMatchObject({ part: '1.2', type: 'application/xml', encoding: 'base64', size: signed.daticertBody.length, disposition: 'inline' });
      expect(daticert.dispositionParameters?.filename).toBe('daticert.xml');
      expect(postacert.type).toBe('message/rfc822');
      expect(postacert.part).toBe('1.3');
      expect(postacert.size).toBe(signed.postacert.length);
      expect(postacert.envelope?.messageId).toBe('<orig-42@pec.beta.test>');
      expect(postacert.envelope?.subject).toBe('Fattura n. 42 €');
      const inner = postacert.childNodes![0];
      expect(inner.type).toBe('multipart/mixed');
      expect(inner.childNodes!.map((n) => [n.part, n.type])).toEqual([
        ['1.3.1', 'text/plain'],
        ['1.3.2', 'application/pdf'],
      ]);
      expect(msg.envelope!.subject).toBe('POSTA CERTIFICATA: Fattura n. 42');
      expect(msg.envelope!.from![0].address).toBe('posta-certificata@pec.alfa.test');
    });
  });
});

describe('flags, search, copy, move, expunge, append', () => {
  it('STORE changes flags; SEARCH combines keys; PEEK leaves \\Seen alone', async () => {
    const folder = f.store.createFolder(USER, 'Search');
    const add = (subject: string, opts: { flags?: string[]; date?: number; body?: string; extra?: string } = {}) =>
      f.store.appendMessage(folder.id, simpleMessage(subject, opts.body, opts.extra), { flags: opts.flags, internalDate: opts.date });
    add('Ricevuta di accettazione', { flags: ['\\Seen'], date: Date.UTC(2024, 0, 10, 12) });
    add('Ricevuta di avvenuta consegna', { date: Date.UTC(2024, 0, 11, 12), extra: 'X-Ricevuta: avvenuta-consegna\r\n' });
    add('=?utf-8?b?UG9zdGEgY2VydGlmaWNhdGEgw6ggYXJyaXZhdGE=?=', { date: Date.UTC(2024, 0, 12, 12), body: 'Contenuto con identificativo opec-123.\r\n' });
    add('Anomalia messaggio', { flags: ['\\Flagged', '$Protocollato'], date: Date.UTC(2024, 0, 13, 12), body: 'x'.repeat(5000) });
    await withClient(async (c) => {
      await c.mailboxOpen('Search');
      expect(await c.search({ seen: false })).toEqual([2, 3, 4]);
      expect(await c.search({ seen: true })).toEqual([1]);
      expect(await c.search({ subject: 'ricevuta' })).toEqual([1, 2]);
      expect(await c.search({ subject: 'certificata è' })).toEqual([3]); // RFC 2047 decoded, UTF-8 needle
      expect(await c.search({ header: { 'x-ricevuta': 'CONSEGNA' } })).toEqual([2]);
      expect(await c.search({ body: 'OPEC-123' })).toEqual([3]);
      expect(await c.search({ text: 'anomalia' })).toEqual([4]);
      expect(await c.search({ from: 'mario.rossi' })).toEqual([1, 2, 3, 4]);
      expect(await c.search({ larger: 4000 })).toEqual([4]);
      expect(await c.search({ smaller: 4000 })).toEqual([1, 2, 3]);
      expect(await c.search({ keyword: '$Protocollato' })).toEqual([4]);
      expect(await c.search({ flagged: true, seen: false })).toEqual([4]);
      expect(await c.search({ or: [{ flagged: true }, { seen: true }] })).toEqual([1, 4]);
      expect(await c.search({ not: { subject: 'ricevuta' } })).toEqual([3, 4]);
      expect(await c.search({ since: new Date(Date.UTC(2024, 0, 12)) })).toEqual([3, 4]);
      expect(await c.search({ before: new Date(Date.UTC(2024, 0, 11)) })).toEqual([1]);
      expect(await c.search({ on: new Date(Date.UTC(2024, 0, 11)) })).toEqual([2]);
      expect(await c.search({ sentOn: new Date(Date.UTC(2024, 0, 15)) })).toEqual([1, 2, 3, 4]);
      expect(await c.search({ sentBefore: new Date(Date.UTC(2024, 0, 15)) })).toEqual([]);
      expect(await c.search({ uid: '2:3' }, { uid: true })).toEqual([2, 3]);
      expect(await c.search({ seq: '3:*', seen: false })).toEqual([3, 4]);

      await c.fetchOne('2', { source: true }); // BODY.PEEK
      expect(await c.search({ seen: false })).toEqual([2, 3, 4]);
      await c.messageFlagsAdd('2:3', ['\\Seen', '$Lavorato']);
      expect(await c.search({ seen: false })).toEqual([4]);
      await c.messageFlagsRemove('3', ['\\Seen']);
      await c.messageFlagsSet('4', ['\\Answered']);
      const flags = new Map<number, string[]>();
      // \Recent is per session (these arrived after the server started, so this session has it)
      for await (const m of c.fetch('1:*', { flags: true })) flags.set(m.seq, [...(m.flags ?? [])].filter((x) => x !== '\\Recent').sort());
      expect(flags.get(2)).toEqual(['$Lavorato', '\\Seen']);
      expect(flags.get(3)).toEqual(['$Lavorato']);
      expect(flags.get(4)).toEqual(['\\Answered']);
    });
  });

  it('COPY reports COPYUID, MOVE expunges at the source, EXPUNGE removes \\Deleted', async () => {
    const src = f.store.createFolder(USER, 'Source');
    for (let i = 1; i <= 5; i++) f.store.appendMessage(src.id, simpleMessage(`m${i}`));
    const trash = f.store.getFolder(USER, 'Trash')!;
    await withClient(async (c) => {
      await c.mailboxOpen('Source');
      const copied = await c.messageCopy('1:2', 'Trash');
      expect(copied).toMatchObject({ destination: 'Trash', uidValidity: BigInt(trash.uidValidity) });
      if (!copied) throw new Error('COPY failed');
      const pairs = [...copied.uidMap!.entries()];
      expect(pairs.map(([s]) => s)).toEqual([1, 2]);
      const trashRaw = pairs.map(([, d]) => f.store.getRaw(f.store.getMessageByUid(trash.id, d)!.id).toString());
      expect(trashRaw[0]).toContain('Subject: m1');

      const expunged: number[] = [];
      c.on('expunge', (e: { seq: number }) => expunged.push(e.seq));
      const moved = await c.messageMove('4', 'Trash', { uid: true });
      if (!moved) throw new Error('MOVE failed');
      expect([...moved.uidMap!.keys()]).toEqual([4]);
      expect(expunged).toEqual([4]);
      expect(c.mailbox && c.mailbox.exists).toBe(4);
      expect(f.store.getMessageByUid(src.id, 4)).toBeUndefined();

      await c.messageFlagsAdd('1,3', ['\\Deleted']);
      expect(await c.messageDelete('1', { uid: true })).toBe(true); // UID EXPUNGE of one
      expect(f.store.listMessages(src.id).map((m) => m.uid)).toEqual([2, 3, 5]);
      await c.mailboxClose(); // CLOSE expunges the remaining \Deleted silently
    });
    expect(f.store.listMessages(src.id).map((m) => m.uid)).toEqual([2, 5]);
    await expect(withClient(async (c) => {
      await c.mailboxOpen('Source');
      return c.messageCopy('1', 'Nonexistent');
    })).resolves.toBe(false);
  });

  it('APPEND to Sent answers APPENDUID and stores the bytes, flags and date given', async () => {
    const sent = f.store.getFolder(USER, 'Sent')!;
    const raw = simpleMessage('Inviato', 'Corpo con\r\nrighe.\r\n');
    await withClient(async (c) => {
      const res = await c.append('Sent', raw, ['\\Seen', '$Inviato'], new Date(Date.UTC(2024, 1, 2, 3, 4, 5)));
      expect(res).toMatchObject({ destination: 'Sent', uidValidity: BigInt(sent.uidValidity) });
      const stored = f.store.getMessageByUid(sent.id, (res as { uid: number }).uid)!;
      expect(f.store.getRaw(stored.id).equals(raw)).toBe(true);
      expect(stored.flags).toEqual(['\\Seen', '$Inviato']);
      expect(stored.internalDate).toBe(Date.UTC(2024, 1, 2, 3, 4, 5));
      expect(stored.subject).toBe('Inviato');
      expect(stored.kind).toBeNull();
      await expect(c.append('Missing', raw)).rejects.toThrow();
    });
  });

  it('APPEND indexes a PEC receipt as delivery does: the API finds it by kind', async () => {
    const archive = f.store.createFolder(USER, 'Ricevute');
    const raw = simpleMessage('ACCETTAZIONE: Protocollo', 'Ricevuta.\r\n', 'X-Ricevuta: accettazione\r\nX-Riferimento-Message-ID: <app-1@comune.test>\r\n');
    await withClient(async (c) => {
      const res = await c.append('Ricevute', raw);
      const stored = f.store.getMessageByUid(archive.id, (res as { uid: number }).uid)!;
      expect(stored).toMatchObject({ kind: 'accettazione', refMessageId: '<app-1@comune.test>', subject: 'ACCETTAZIONE: Protocollo' });
      expect(f.store.findMessages({ kind: 'accettazione' }).map((m) => m.id)).toContain(stored.id);
    });
  });
});

describe('push', () => {
  it('IDLE reports a message delivered to the store by someone else, and flags changed elsewhere', async () => {
    const folder = f.store.createFolder(USER, 'Push');
    f.store.appendMessage(folder.id, simpleMessage('before'));
    await withClient(async (c) => {
      await c.mailboxOpen('Push');
      const exists = new Promise<number>((resolve) => c.on('exists', (e: { count: number }) => resolve(e.count)));
      const idling = c.idle();
      await new Promise((r) => setTimeout(r, 100));
      f.store.appendMessage(folder.id, simpleMessage('delivered'));
      expect(await exists).toBe(2);

      const flagsSeen = new Promise<string[]>((resolve) =>
        c.on('flags', (e: { flags: Set<string> }) => resolve([...e.flags])),
      );
      f.store.setFlags(folder.id, [1], ['\\Flagged'], 'add');
      expect(await flagsSeen).toContain('\\Flagged');
      await c.noop(); // ends IDLE
      await idling;
      const list = await c.search({ all: true });
      expect(list).toEqual([1, 2]);
    });
  });

  it('a second session sees another session\'s EXPUNGE only when it may (NOOP), keeping numbers stable', async () => {
    const folder = f.store.createFolder(USER, 'Shared');
    for (let i = 1; i <= 3; i++) f.store.appendMessage(folder.id, simpleMessage(`s${i}`));
    await withClient(async (a) => {
      await withClient(async (b) => {
        await a.mailboxOpen('Shared');
        await b.mailboxOpen('Shared');
        await a.messageFlagsAdd('2', ['\\Deleted']);
        await a.messageDelete('2');
        // b has not been told: message 3 is still number 3 for it
        const third = await b.fetchOne('3', { envelope: true });
        expect((third as FetchMessageObject).envelope!.subject).toBe('s3');
        const gone: number[] = [];
        b.on('expunge', (e: { seq: number }) => gone.push(e.seq));
        await b.noop();
        expect(gone).toEqual([2]);
        expect(b.mailbox && b.mailbox.exists).toBe(2);
      });
    });
  });
});
