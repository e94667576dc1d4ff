// Protocol details checked on the wire where the clients above hide them: \Recent belongs to one
// session, accounts are isolated, quota answers OVERQUOTA, `UID n:*` past the end, \Seen set only
// by body content, the small extensions (ID, NAMESPACE, ENABLE, UNSELECT), IDLE with DONE, and
// close() ending sessions.

import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { startImapServer } from '../../src/imap/index.js';
import { RawClient } from './raw-client.js';
import { PASSWORD, simpleMessage, startFixture, testTls, USER, type Fixture } from './helpers.js';

let f: Fixture | null = null;

async function login(fx: Fixture, user = USER, password = PASSWORD): Promise<RawClient> {
  const { client } = await RawClient.connect(fx.port);
  expect((await client.command('L', `LOGIN ${user} ${password}`)).at(-1)).toMatch(/^L OK/);
  return client;
}

afterEach(async () => {
  await f?.close();
  f = null;
});

describe('protocol details', () => {
  it('gives \\Recent to the first session that sees a new message only', async () => {
    const fx = (f = await startFixture());
    fx.store.appendMessage(fx.inbox(), simpleMessage('old')); // delivered after start: recent for someone
    const a = await login(fx);
    const b = await login(fx);
    expect(await a.command('s', 'SELECT INBOX')).toContain('* 1 RECENT');
    expect(await b.command('s', 'SELECT INBOX')).toContain('* 0 RECENT');
    fx.store.appendMessage(fx.inbox(), simpleMessage('new'));
    const aNoop = await a.command('n', 'NOOP');
    const bNoop = await b.command('n', 'NOOP');
    expect(aNoop).toEqual(expect.arrayContaining(['* 2 EXISTS']));
    expect(bNoop).toEqual(expect.arrayContaining(['* 2 EXISTS']));
    // exactly one of them got it as recent
    const recentA = aNoop.includes('* 2 RECENT');
    const recentB = bNoop.includes('* 1 RECENT');
    expect(recentA !== recentB).toBe(true);
    expect((await a.command('q', 'SEARCH RECENT')).join('\n')).toMatch(recentA ? /\* SEARCH 1 2/ : /\* SEARCH\r?$/m);
    expect((await a.command('q2', 'SEARCH NEW')).join('\n')).toMatch(/\* SEARCH/);
    a.destroy();
    b.destroy();
  });

  it('keeps accounts apart: folders, selection and notifications', async () => {
    const fx = (f = await startFixture());
    const other = 'protocollo@pec.comune-mineo.test';
    fx.store.createAccount({ address: other, password: 'altra', gestore: 'beta' });
    fx.store.createFolder(USER, 'Riservata');
    const a = await login(fx);
    const b = await login(fx, other, 'altra');
    const list = await b.command('l', 'LIST "" *');
    expect(list.filter((l) => l.startsWith('* LIST')).map((l) => l.split(' ').at(-1))).toEqual(['INBOX', 'Sent', 'Trash']);
    expect((await b.command('s', 'SELECT Riservata')).at(-1)).toMatch(/^s NO \[NONEXISTENT\]/);
    await b.command('s2', 'SELECT INBOX');
    await a.command('s2', 'SELECT INBOX');
    fx.store.appendMessage(fx.inbox(), simpleMessage('for utente only'));
    expect(await a.command('n', 'NOOP')).toContain('* 1 EXISTS');
    expect(await b.command('n', 'NOOP')).toEqual(['n OK NOOP completed']);
    a.destroy();
    b.destroy();
  });

  it('answers NO [OVERQUOTA] when an APPEND or COPY would exceed the quota', async () => {
    const fx = (f = await startFixture());
    const msg = simpleMessage('quota');
    fx.store.updateAccount(USER, { quotaBytes: msg.length * 2 + 10 });
    const c = await login(fx);
    const append = (tag: string) => c.command(tag, `APPEND INBOX {${msg.length}+}\r\n${msg.toString()}`);
    expect((await append('a1')).at(-1)).toMatch(/^a1 OK \[APPENDUID/);
    expect((await append('a2')).at(-1)).toMatch(/^a2 OK \[APPENDUID/);
    expect((await append('a3')).at(-1)).toMatch(/^a3 NO \[OVERQUOTA\]/);
    await c.command('s', 'SELECT INBOX');
    expect((await c.command('c', 'COPY 1 Trash')).at(-1)).toMatch(/^c NO \[OVERQUOTA\]/);
    expect(fx.store.listMessages(fx.inbox()).length).toBe(2);
    c.destroy();
  });

  it('treats UID n:* past the last UID as including the last message (RFC 3501 §6.4.8)', async () => {
    const fx = (f = await startFixture());
    fx.store.appendMessage(fx.inbox(), simpleMessage('one'));
    fx.store.appendMessage(fx.inbox(), simpleMessage('two'));
    const c = await login(fx);
    await c.command('s', 'SELECT INBOX');
    expect(await c.command('u', 'UID FETCH 50:* (UID)')).toEqual(['* 2 FETCH (UID 2)', 'u OK FETCH completed']);
    expect(await c.command('u2', 'UID SEARCH UID 2:*')).toContain('* SEARCH 2');
    expect(await c.command('u3', 'UID FETCH 1,2 (FLAGS)')).toHaveLength(3);
    c.destroy();
  });

  it('sets \\Seen only when a body fetch returns content, not for a part the message lacks', async () => {
    const fx = (f = await startFixture());
    fx.store.appendMessage(fx.inbox(), simpleMessage('single part'));
    const multipart = Buffer.from(
      `From: a@pec.beta.test\r\nTo: ${USER}\r\nSubject: two parts\r\nMIME-Version: 1.0\r\n` +
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\none\r\n' +
        '--b\r\nContent-Type: text/plain\r\n\r\ntwo\r\n--b--\r\n',
    );
    fx.store.appendMessage(fx.inbox(), multipart);
    const c = await login(fx);
    await c.command('s', 'SELECT INBOX');
    const flags = async (tag: string): Promise<string[]> => (await c.command(tag, 'FETCH 1:2 (FLAGS)')).slice(0, -1);
    expect(await c.command('f1', 'FETCH 1 BODY[999]')).toEqual(['* 1 FETCH (BODY[999] NIL)', 'f1 OK FETCH completed']);
    expect(await c.command('f2', 'FETCH 1 (BODY[2.MIME] FLAGS)')).toEqual(['* 1 FETCH (BODY[2.MIME] NIL FLAGS (\\Recent))', 'f2 OK FETCH completed']);
    expect(await flags('q1')).toEqual(['* 1 FETCH (FLAGS (\\Recent))', '* 2 FETCH (FLAGS (\\Recent))']);
    // part 2 exists in the multipart message only: that one is read, the other is not
    const both = (await c.command('f3', 'FETCH 1:2 BODY[2]')).join('\n');
    expect(both).toMatch(/^\* 1 FETCH \(BODY\[2\] NIL\)$/m);
    expect(both).toMatch(/^\* 2 FETCH \(BODY\[2\] \{3\}\ntwo FLAGS \(\\Seen \\Recent\)\)$/m);
    expect(await flags('q2')).toEqual(['* 1 FETCH (FLAGS (\\Recent))', '* 2 FETCH (FLAGS (\\Seen \\Recent))']);
    // part 1 of a single-part message is its body: content, so read
    expect((await c.command('f4', 'FETCH 1 BODY[1]')).join('\n')).toMatch(/FLAGS \(\\Seen \\Recent\)\)$/m);
    expect(await flags('q3')).toEqual(['* 1 FETCH (FLAGS (\\Seen \\Recent))', '* 2 FETCH (FLAGS (\\Seen \\Recent))']);
    c.destroy();
  });

  it('speaks ID, NAMESPACE, ENABLE, CHECK, UNSELECT, LSUB, and IDLE ended by DONE', async () => {
    const fx = (f = await startFixture());
    const c = await login(fx);
    expect((await c.command('i', 'ID ("name" "test-suite")'))[0]).toMatch(/^\* ID \("name" "pec-testbed"/);
    expect(await c.command('n', 'NAMESPACE')).toEqual(['* NAMESPACE (("" "/")) NIL NIL', 'n OK NAMESPACE completed']);
    expect(await c.command('e', 'ENABLE CONDSTORE')).toEqual(['* ENABLED', 'e OK ENABLE completed']);
    expect(await c.command('ls', 'LSUB "" %')).toEqual(expect.arrayContaining(['* LSUB () "/" Sent']));
    expect((await c.command('ch', 'CHECK')).at(-1)).toMatch(/^ch BAD/); // needs a selected mailbox
    await c.command('s', 'SELECT INBOX');
    expect((await c.command('ch2', 'CHECK')).at(-1)).toBe('ch2 OK CHECK completed');
    c.send('idle IDLE\r\n');
    expect(await c.line()).toBe('+ idling');
    fx.store.appendMessage(fx.inbox(), simpleMessage('pushed'));
    expect(await c.line()).toBe('* 1 EXISTS');
    expect(await c.line()).toBe('* 1 RECENT');
    fx.store.setFlags(fx.inbox(), [1], ['\\Flagged'], 'add');
    expect(await c.line()).toBe('* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))');
    c.send('DONE\r\n');
    expect(await c.line()).toBe('idle OK IDLE terminated');
    expect((await c.command('u', 'UNSELECT')).at(-1)).toBe('u OK UNSELECT completed');
    expect((await c.command('f', 'FETCH 1 FLAGS')).at(-1)).toMatch(/^f BAD/);
    c.destroy();
  });

  it('accepts passwords in the clear over loopback only; elsewhere LOGINDISABLED until STARTTLS', async () => {
    const fx = (f = await startFixture());
    const { client: local, greeting } = await RawClient.connect(fx.port);
    expect(greeting).toMatch(/STARTTLS AUTH=PLAIN\]/);
    local.destroy();
    // a non-loopback address of this machine, when it has one, plays the remote client
    const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!external) return;
    const tls = testTls();
    const server = await startImapServer({
      store: fx.store, host: external, port: 0, tls: { key: tls.key, cert: tls.cert }, clock: { now: () => Date.now() },
      authenticate: async (user, password) => (user === USER && password === PASSWORD ? USER : null),
    });
    try {
      const remote = await RawClient.connect(server.port, external);
      expect(remote.greeting).toMatch(/STARTTLS LOGINDISABLED\]/);
      expect((await remote.client.command('r1', `LOGIN ${USER} ${PASSWORD}`)).at(-1)).toMatch(/^r1 NO \[PRIVACYREQUIRED\]/);
      expect((await remote.client.command('r2', 'AUTHENTICATE PLAIN')).at(-1)).toMatch(/^r2 NO \[PRIVACYREQUIRED\]/);
      expect((await remote.client.command('r3', 'STARTTLS')).at(-1)).toMatch(/^r3 OK/);
      await remote.client.startTls(tls.caPem);
      expect((await remote.client.command('r4', 'CAPABILITY'))[0]).toMatch(/AUTH=PLAIN$/);
      expect((await remote.client.command('r5', `LOGIN ${USER} ${PASSWORD}`)).at(-1)).toMatch(/^r5 OK/);
      remote.client.destroy();
    } finally {
      await server.close();
    }
  });

  it('close() ends every session with BYE', async () => {
    const fx = await startFixture();
    const a = await login(fx);
    const { client: b } = await RawClient.connect(fx.port);
    await a.command('s', 'SELECT INBOX');
    const closing = fx.close();
    expect(await a.line()).toBe('* BYE Server shutting down');
    expect(await a.closed()).toBe(true);
    expect(await b.line()).toBe('* BYE Server shutting down');
    await closing;
  });
});
