// What real clients never send, over a bare socket: garbage and malformed commands (BAD),
// commands in the wrong state (BAD), failed operations (NO with response codes), oversized
// literals refused without being read, long lines, deep nesting, out-of-range numbers and dates,
// dropped connections, autologout, a UIDVALIDITY change under a selected session, STARTTLS
// command injection, and the fault hooks.

import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from './raw-client.js';
import { PASSWORD, simpleMessage, startFixture, USER, type Fixture, type FixtureOptions } from './helpers.js';

let f: Fixture | null = null;

async function setup(options: FixtureOptions = {}): Promise<Fixture> {
  f = await startFixture({ ...options, limits: { loginFailureDelayMs: 10, ...options.limits } });
  return f;
}

async function loggedIn(fx: Fixture): Promise<RawClient> {
  const { client } = await RawClient.connect(fx.port);
  const lines = await client.command('L', `LOGIN ${USER} ${PASSWORD}`);
  expect(lines.at(-1)).toMatch(/^L OK/);
  return client;
}

afterEach(async () => {
  await f?.close();
  f = null;
});

describe('syntax and state errors', () => {
  it('answers garbage, unknown commands and bad arguments with BAD and keeps going', async () => {
    const fx = await setup();
    const { client, greeting } = await RawClient.connect(fx.port);
    expect(greeting).toMatch(/^\* OK \[CAPABILITY IMAP4rev1 .*STARTTLS.*AUTH=PLAIN.*\]/);
    client.send(')))\r\n');
    expect(await client.line()).toMatch(/^\* BAD/);
    expect((await client.command('a1', 'FROBNICATE now')).at(-1)).toMatch(/^a1 BAD Unknown command/);
    expect((await client.command('a2', 'LOGIN onlyuser')).at(-1)).toMatch(/^a2 BAD/);
    expect((await client.command('a3', 'LOGIN (x y')).at(-1)).toMatch(/^a3 BAD/);
    expect((await client.command('a4', 'LOGIN "unterminated')).at(-1)).toMatch(/^a4 BAD/);
    expect((await client.command('a5', 'NOOP extra')).at(-1)).toMatch(/^a5 BAD/);
    client.send('\r\n');
    expect(await client.line()).toMatch(/^\* BAD/);
    expect((await client.command('a6', 'NOOP')).at(-1)).toBe('a6 OK NOOP completed');
    client.destroy();
  });

  it('refuses commands in the wrong state with BAD, failed operations with NO and a code', async () => {
    const fx = await setup();
    const { client } = await RawClient.connect(fx.port);
    expect((await client.command('s1', 'SELECT INBOX')).at(-1)).toMatch(/^s1 BAD SELECT not allowed in not-authenticated state/);
    expect((await client.command('s2', 'FETCH 1 FLAGS')).at(-1)).toMatch(/^s2 BAD/);
    await client.command('L', `LOGIN ${USER} ${PASSWORD}`);
    expect((await client.command('s3', `LOGIN ${USER} ${PASSWORD}`)).at(-1)).toMatch(/^s3 BAD/);
    expect((await client.command('s4', 'FETCH 1 FLAGS')).at(-1)).toMatch(/^s4 BAD .*authenticated state/);
    expect((await client.command('s5', 'SELECT Nowhere')).at(-1)).toMatch(/^s5 NO \[NONEXISTENT\]/);
    expect((await client.command('s6', 'STATUS Nowhere (MESSAGES)')).at(-1)).toMatch(/^s6 NO \[NONEXISTENT\]/);
    expect((await client.command('s7', 'DELETE INBOX')).at(-1)).toMatch(/^s7 NO \[CANNOT\]/);
    expect((await client.command('s8', 'CREATE Sent')).at(-1)).toMatch(/^s8 NO \[ALREADYEXISTS\]/);
    expect((await client.command('s9', 'APPEND Nowhere {5+}\r\nhello')).at(-1)).toMatch(/^s9 NO \[TRYCREATE\]/);
    expect((await client.command('s10', 'RENAME Nowhere Else')).at(-1)).toMatch(/^s10 NO \[NONEXISTENT\]/);
    expect((await client.command('s11', 'STATUS INBOX (BOGUS)')).at(-1)).toMatch(/^s11 BAD/);

    fx.store.appendMessage(fx.inbox(), simpleMessage('one'));
    await client.command('sel', 'SELECT INBOX');
    expect((await client.command('f1', 'FETCH 99 FLAGS')).at(-1)).toMatch(/^f1 BAD/);
    expect((await client.command('f2', 'FETCH 1 (BOGUS)')).at(-1)).toMatch(/^f2 BAD/);
    expect((await client.command('f3', 'FETCH 0:1 FLAGS')).at(-1)).toMatch(/^f3 BAD/);
    expect((await client.command('f4', 'UID FETCH 99 FLAGS')).at(-1)).toBe('f4 OK FETCH completed');
    expect((await client.command('f5', 'SEARCH FROBNICATE')).at(-1)).toMatch(/^f5 BAD/);
    expect((await client.command('f6', 'SEARCH CHARSET KOI8-R ALL')).at(-1)).toMatch(/^f6 NO \[BADCHARSET \(UTF-8 US-ASCII\)\]/);
    expect((await client.command('f7', 'STORE 1 +FLAGS (\\Bogus)')).at(-1)).toMatch(/^f7 BAD/);
    expect((await client.command('f8', 'COPY 1 Nowhere')).at(-1)).toMatch(/^f8 NO \[TRYCREATE\]/);
    expect((await client.command('f9', 'FETCH 1 BODY[1.MIME')).at(-1)).toMatch(/^f9 BAD/);
    expect((await client.command('f10', 'EXAMINE INBOX')).at(-1)).toMatch(/^f10 OK \[READ-ONLY\]/);
    expect((await client.command('f11', 'STORE 1 +FLAGS (\\Seen)')).at(-1)).toMatch(/^f11 NO \[READ-ONLY\]/);
    expect((await client.command('f12', 'EXPUNGE')).at(-1)).toMatch(/^f12 NO \[READ-ONLY\]/);
    client.destroy();
  });

  it('answers pipelined commands in order, and FETCH * works in a one-message mailbox', async () => {
    const fx = await setup();
    fx.store.appendMessage(fx.inbox(), simpleMessage('solo'));
    const { client } = await RawClient.connect(fx.port);
    client.send(`p1 LOGIN ${USER} ${PASSWORD}\r\np2 SELECT INBOX\r\np3 FETCH * (UID FLAGS)\r\np4 UID SEARCH 1:*\r\np5 LIST "" INBOX/*\r\n`);
    const lines = await client.until('p5');
    const tagged = lines.filter((l) => /^p\d /.test(l)).map((l) => l.split(' ').slice(0, 2).join(' '));
    expect(tagged).toEqual(['p1 OK', 'p2 OK', 'p3 OK', 'p4 OK', 'p5 OK']);
    expect(lines).toContain('* 1 FETCH (UID 1 FLAGS (\\Recent))');
    expect(lines).toContain('* SEARCH 1');
    client.destroy();
  });

  it('supports AUTHENTICATE PLAIN with a continuation, and a cancelled exchange is BAD', async () => {
    const fx = await setup();
    const { client } = await RawClient.connect(fx.port);
    client.send('x1 AUTHENTICATE PLAIN\r\n');
    expect(await client.line()).toBe('+ ');
    client.send('*\r\n');
    expect(await client.line()).toMatch(/^x1 BAD/);
    client.send('x2 AUTHENTICATE PLAIN\r\n');
    expect(await client.line()).toBe('+ ');
    client.send(`${Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64')}\r\n`);
    expect(await client.line()).toMatch(/^x2 OK \[CAPABILITY IMAP4rev1 /);
    client.destroy();
    // SASL-IR: the initial response on the command line, no continuation
    const { client: ir } = await RawClient.connect(fx.port);
    const plain = Buffer.from(`${USER}\0${USER}\0${PASSWORD}`).toString('base64');
    expect(await ir.command('x3', `AUTHENTICATE PLAIN ${plain}`)).toEqual([expect.stringMatching(/^x3 OK \[CAPABILITY /)]);
    // an empty mailbox: 1:* addresses nothing, 1 is an error
    await ir.command('s', 'SELECT Trash');
    expect(await ir.command('e1', 'FETCH 1:* (FLAGS)')).toEqual(['e1 OK FETCH completed']);
    expect((await ir.command('e2', 'FETCH 1 (FLAGS)')).at(-1)).toMatch(/^e2 BAD/);
    ir.destroy();
  });
});

describe('nesting, numbers and dates', () => {
  it('answers BAD to lists nested deeper than the limit, and the connection goes on', async () => {
    const fx = await setup();
    const { client } = await RawClient.connect(fx.port);
    // before login too: thousands of `(` used to exhaust the parser's stack and drop the connection
    expect((await client.command('p1', `NOOP ${'('.repeat(20_000)}`)).at(-1)).toBe('p1 BAD Lists nested too deeply (more than 100 levels)');
    expect((await client.command('p2', `NOOP ${'('.repeat(101)}${')'.repeat(101)}`)).at(-1)).toMatch(/^p2 BAD Lists nested too deeply/);
    expect((await client.command('p3', `NOOP ${'('.repeat(100)}${')'.repeat(100)}`)).at(-1)).toBe('p3 BAD NOOP takes no arguments');
    expect((await client.command('p4', 'NOOP')).at(-1)).toBe('p4 OK NOOP completed');
    client.destroy();
  });

  it('answers BAD to search criteria nested deeper than the limit, and SEARCH goes on', async () => {
    const fx = await setup();
    fx.store.appendMessage(fx.inbox(), simpleMessage('one'));
    const client = await loggedIn(fx);
    await client.command('s', 'SELECT INBOX');
    const search = async (tag: string, criteria: string): Promise<string> => (await client.command(tag, `SEARCH ${criteria}`)).join('\n');
    expect(await search('n1', `${'NOT '.repeat(12_000)}ALL`)).toBe('n1 BAD Search criteria nested too deeply (more than 1000 levels)');
    expect(await search('n2', `${'('.repeat(15_000)}ALL${')'.repeat(15_000)}`)).toMatch(/^n2 BAD Lists nested too deeply/);
    expect(await search('n3', `${'OR ALL '.repeat(1001)}ALL`)).toMatch(/^n3 BAD Search criteria nested too deeply/);
    expect(await search('n4', `${'NOT '.repeat(1001)}ALL`)).toMatch(/^n4 BAD Search criteria nested too deeply/);
    // up to the limits, deep criteria are answered: OR chains are how clients say "any of these"
    expect(await search('k1', `${'NOT '.repeat(1000)}ALL`)).toBe('* SEARCH 1\nk1 OK SEARCH completed');
    expect(await search('k2', `${'OR DELETED '.repeat(1000)}ALL`)).toBe('* SEARCH 1\nk2 OK SEARCH completed');
    expect(await search('k3', `${'('.repeat(100)}ALL${')'.repeat(100)}`)).toBe('* SEARCH 1\nk3 OK SEARCH completed');
    expect((await client.command('n', 'NOOP')).at(-1)).toBe('n OK NOOP completed');
    client.destroy();
  });

  it('answers BAD to numbers beyond 32 bits in sequence sets, SEARCH and FETCH alike', async () => {
    const fx = await setup();
    fx.store.appendMessage(fx.inbox(), simpleMessage('one'));
    const client = await loggedIn(fx);
    await client.command('s', 'SELECT INBOX');
    const last = async (tag: string, command: string): Promise<string> => (await client.command(tag, command)).at(-1)!;
    for (const [tag, command] of [
      ['b1', 'SEARCH 4294967296'],
      ['b2', 'SEARCH 1:4294967296'],
      ['b3', 'UID SEARCH UID 4294967296'],
      ['b4', 'FETCH 4294967296 FLAGS'],
      ['b5', 'UID FETCH 4294967296 FLAGS'],
      ['b6', 'UID FETCH 1:4294967296 FLAGS'],
      ['b7', 'UID STORE 4294967296 +FLAGS (\\Flagged)'],
      ['b8', 'UID COPY 99999999999 Trash'],
      ['b9', 'FETCH 1 BODY.PEEK[]<4294967296.1>'],
      ['b10', 'SEARCH LARGER 4294967296'],
    ]) {
      expect(await last(tag, command)).toMatch(new RegExp(`^${tag} BAD`));
    }
    // the largest 32-bit number is still a number
    expect(await client.command('k1', 'SEARCH 4294967295')).toEqual(['* SEARCH', 'k1 OK SEARCH completed']);
    expect(await client.command('k2', 'UID SEARCH UID 1:4294967295')).toEqual(['* SEARCH 1', 'k2 OK SEARCH completed']);
    expect(await client.command('k3', 'UID FETCH 1:4294967295 (FLAGS)')).toEqual(['* 1 FETCH (UID 1 FLAGS (\\Recent))', 'k3 OK FETCH completed']);
    expect(await last('k4', 'SEARCH SMALLER 4294967295')).toBe('k4 OK SEARCH completed');
    client.destroy();
  });

  it('answers BAD to a day the month does not have, in SEARCH and APPEND dates', async () => {
    const fx = await setup();
    fx.store.appendMessage(fx.inbox(), simpleMessage('one'));
    const client = await loggedIn(fx);
    await client.command('s', 'SELECT INBOX');
    const last = async (tag: string, command: string): Promise<string> => (await client.command(tag, command)).at(-1)!;
    for (const [i, date] of ['32-Jan-2020', '0-Jan-2020', '29-Feb-2023', '30-Feb-2024', '31-Apr-2024', '29-Feb-1900'].entries()) {
      expect(await last(`d${i}`, `SEARCH BEFORE ${date}`)).toMatch(new RegExp(`^d${i} BAD BEFORE expects a date`));
      expect(await last(`e${i}`, `SEARCH SENTON ${date}`)).toMatch(new RegExp(`^e${i} BAD SENTON expects a date`));
    }
    expect(await last('k1', 'SEARCH ON 29-Feb-2024')).toBe('k1 OK SEARCH completed');
    expect(await last('k2', 'SEARCH SINCE 29-Feb-2000 BEFORE 31-Dec-2099')).toBe('k2 OK SEARCH completed');

    const msg = simpleMessage('dated').toString();
    const append = (tag: string, date: string): Promise<string> => last(tag, `APPEND INBOX "${date}" {${msg.length}+}\r\n${msg}`);
    expect(await append('a1', '31-Feb-2020 10:00:00 +0000')).toBe('a1 BAD Invalid date-time in APPEND');
    expect(await append('a2', '29-Feb-2023 10:00:00 +0000')).toBe('a2 BAD Invalid date-time in APPEND');
    expect(await append('a3', '31-Jun-2024 10:00:00 +0000')).toBe('a3 BAD Invalid date-time in APPEND');
    expect(await append('a4', '01-Jan-2024 10:00:00 +0160')).toBe('a4 BAD Invalid date-time in APPEND');
    expect(await append('k3', '29-Feb-2024 10:00:00 +0100')).toMatch(/^k3 OK \[APPENDUID \d+ 2\]/);
    expect(await append('k4', '01-Jul-0099 12:00:00 +0000')).toMatch(/^k4 OK \[APPENDUID \d+ 3\]/);
    const dates = fx.store.listMessages(fx.inbox()).map((m) => m.internalDate);
    expect(dates.slice(1)).toEqual([Date.UTC(2024, 1, 29, 9), new Date('0099-07-01T12:00:00Z').getTime()]);
    // a year below 1000 keeps its four digits (and its century) on the way out
    expect((await client.command('f', 'UID FETCH 3 INTERNALDATE'))[0]).toMatch(/INTERNALDATE " ?\d{1,2}-[A-Z][a-z]{2}-0099 /);
    client.destroy();
  });
});

describe('oversized input', () => {
  it('refuses an oversized synchronizing literal without asking for it, and the session goes on', async () => {
    const fx = await setup({ limits: { maxAppendBytes: 1000, maxLiteralBytes: 100 } });
    const client = await loggedIn(fx);
    client.send('big APPEND INBOX {60000000}\r\n');
    expect(await client.line()).toBe('big NO [TOOBIG] Message larger than APPENDLIMIT 1000');
    client.send('big2 LOGIN {5000}\r\n');
    expect(await client.line()).toMatch(/^big2 BAD \[TOOBIG\]/);
    expect((await client.command('n', 'NOOP')).at(-1)).toBe('n OK NOOP completed');
    // a LITERAL+ one cannot be refused before it arrives: it is skipped, then refused
    client.send(`plus APPEND INBOX {2000+}\r\n${'x'.repeat(2000)}\r\n`);
    expect(await client.line()).toMatch(/^plus NO \[TOOBIG\]/);
    expect((await client.command('n2', 'NOOP')).at(-1)).toBe('n2 OK NOOP completed');
    // within the limit it is stored, and the capability says how much fits
    const ok = await client.command('small', `APPEND INBOX {${simpleMessage('fits').length}+}\r\n${simpleMessage('fits').toString()}`);
    expect(ok.at(-1)).toMatch(/^small OK \[APPENDUID \d+ 1\]/);
    expect((await client.command('c', 'CAPABILITY'))[0]).toMatch(/APPENDLIMIT=1000/);
    // a LITERAL+ far beyond the limit is not worth draining: the server hangs up
    client.send('huge APPEND INBOX {99999999+}\r\n');
    expect(await client.line()).toMatch(/^\* BYE/);
    expect(await client.closed()).toBe(true);
    expect(fx.store.listMessages(fx.inbox()).length).toBe(1);
  });

  it('hangs up on a command line longer than the limit', async () => {
    const fx = await setup({ limits: { maxLineBytes: 4096 } });
    const { client } = await RawClient.connect(fx.port);
    client.send(`a NOOP ${'x'.repeat(10_000)}`);
    expect(await client.line()).toMatch(/^\* BYE Command line too long/);
    expect(await client.closed()).toBe(true);
  });

  it('says BYE to an overlong line during IDLE or AUTHENTICATE, as to an overlong command', async () => {
    const fx = await setup({ limits: { maxLineBytes: 4096 } });
    const client = await loggedIn(fx);
    client.send('i IDLE\r\n');
    expect(await client.line()).toBe('+ idling');
    client.send('x'.repeat(10_000));
    expect(await client.line()).toBe('* BYE Command line too long');
    expect(await client.closed()).toBe(true);

    const { client: sasl } = await RawClient.connect(fx.port);
    sasl.send('x AUTHENTICATE PLAIN\r\n');
    expect(await sasl.line()).toBe('+ ');
    sasl.send('x'.repeat(10_000));
    expect(await sasl.line()).toBe('* BYE Command line too long');
    expect(await sasl.closed()).toBe(true);
  });

  it('a client that drops in the middle of APPEND leaves nothing behind', async () => {
    const fx = await setup();
    const client = await loggedIn(fx);
    client.send('ap APPEND INBOX {1000}\r\n');
    expect(await client.line()).toMatch(/^\+ /);
    client.send('x'.repeat(500));
    await new Promise((r) => setTimeout(r, 50));
    client.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(fx.store.listMessages(fx.inbox())).toEqual([]);
    expect(fx.events.some((e) => e.event === 'imap.close' && e.detail.reason === 'client closed the connection')).toBe(true);
    // and the server still serves others
    const other = await loggedIn(fx);
    expect((await other.command('n', 'NOOP')).at(-1)).toMatch(/^n OK/);
    other.destroy();
  });
});

describe('session lifecycle', () => {
  it('logs out idle sessions after the autologout time', async () => {
    const fx = await setup({ limits: { autologoutMs: 300 } });
    const client = await loggedIn(fx);
    const started = Date.now();
    expect(await client.line(3000)).toMatch(/^\* BYE Autologout/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await client.closed()).toBe(true);
  });

  it('signals a UIDVALIDITY change of the selected mailbox and ends the session', async () => {
    const fx = await setup();
    fx.store.appendMessage(fx.inbox(), simpleMessage('a'));
    const client = await loggedIn(fx);
    const sel = await client.command('s', 'SELECT INBOX');
    const before = Number(/UIDVALIDITY (\d+)/.exec(sel.join('\n'))![1]);
    const next = fx.store.resetUidValidity(fx.inbox());
    expect(next).toBeGreaterThan(before);
    expect(await client.line()).toBe(`* OK [UIDVALIDITY ${next}] UIDVALIDITY changed`);
    expect(await client.line()).toMatch(/^\* BYE .*UIDVALIDITY/);
    expect(await client.closed()).toBe(true);
  });

  it('ignores commands pipelined behind STARTTLS in the clear (no injection)', async () => {
    const fx = await setup();
    const { client } = await RawClient.connect(fx.port);
    client.send(`t1 STARTTLS\r\nt2 LOGIN ${USER} ${PASSWORD}\r\n`);
    expect(await client.line()).toBe('t1 OK Begin TLS negotiation now');
    await client.startTls(fx.caPem);
    const lines = await client.command('t3', 'CAPABILITY');
    expect(lines.join('\n')).not.toMatch(/^t2 /m);
    expect(lines[0]).toMatch(/AUTH=PLAIN/);
    expect(lines[0]).not.toMatch(/STARTTLS/);
    expect((await client.command('t4', 'STARTTLS')).at(-1)).toMatch(/^t4 BAD/);
    expect((await client.command('t5', `LOGIN ${USER} ${PASSWORD}`)).at(-1)).toMatch(/^t5 OK/);
    client.destroy();
  });

  it('runs the fault hooks: onLogin may refuse, beforeFetch may drop the connection', async () => {
    const fx = await setup({
      hooks: {
        onLogin: ({ user }) => (user.startsWith('utente') ? undefined : { action: 'refuse', text: 'Casella sospesa' }),
        beforeFetch: ({ uids }) => (uids.includes(2) ? { action: 'drop' } : undefined),
      },
    });
    fx.store.createAccount({ address: 'suap@pec.comune-giardinello.test', password: 'pec', gestore: 'alfa' });
    fx.store.appendMessage(fx.inbox(), simpleMessage('one'));
    fx.store.appendMessage(fx.inbox(), simpleMessage('two'));
    const { client: refused } = await RawClient.connect(fx.port);
    expect((await refused.command('r', 'LOGIN suap@pec.comune-giardinello.test pec')).at(-1)).toBe('r NO [UNAVAILABLE] Casella sospesa');
    refused.destroy();
    const client = await loggedIn(fx);
    await client.command('s', 'SELECT INBOX');
    expect((await client.command('f1', 'FETCH 1 FLAGS')).at(-1)).toMatch(/^f1 OK/);
    client.send('f2 FETCH 1:2 FLAGS\r\n');
    expect(await client.closed()).toBe(true);
    expect(await client.drain(10)).toBe('');
  });
});
