// What polite clients never send, and what a fault or a shutdown does to a session: bad lines,
// overlong lines, pipelining, STLS injection, SASL edge cases, login throttling, the idle timer,
// hooks, close(). A bare socket is the client here, since no real client misbehaves on demand.

import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPop3Server, type Pop3Hooks, type Pop3Server, type Pop3ServerOptions } from '../../src/pop3/index.js';
import type { Store } from '../../src/store/types.js';
import { RawClient, poplib, selfSignedTls, tempDir } from './helpers.js';
import { addMailbox, authenticator, makeStore } from './setup.js';

let dir: ReturnType<typeof tempDir>;
let store: Store;
let key: string;
let cert: string;
const servers: Pop3Server[] = [];
const events: Array<{ event: string; detail: Record<string, unknown> }> = [];

async function server(extra: Partial<Pop3ServerOptions> = {}): Promise<Pop3Server> {
  const s = await startPop3Server({
    store, port: 0, tls: { key, cert }, authenticate: authenticator(store), authFailureDelayMs: 10,
    log: (event, detail) => events.push({ event, detail }), ...extra,
  });
  servers.push(s);
  return s;
}

async function open(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  expect(await c.line()).toMatch(/^\+OK/);
  return c;
}

async function loggedIn(port: number, address: string): Promise<RawClient> {
  const c = await open(port);
  expect(await c.command(`USER ${address}`)).toMatch(/^\+OK/);
  expect(await c.command('PASS pec')).toMatch(/^\+OK/);
  return c;
}

const count = (address: string): number => store.listMessages(store.getFolder(address, 'INBOX')!.id).length;
const plainAuth = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const body = (n: number): string[] => Array.from({ length: n }, (_, i) => `Subject: m${i + 1}\r\n\r\nbody\r\n`);

let main: Pop3Server;

beforeAll(async () => {
  dir = tempDir();
  ({ key, cert } = await selfSignedTls(dir.path));
  store = makeStore();
  addMailbox(store, 'robust@pec.alfa.test', body(2));
  main = await server();
});

afterAll(async () => {
  for (const s of servers) await s.close();
  store?.close();
  dir?.remove();
});

describe('bad input', () => {
  it('answers garbage, empty lines and binary with -ERR and keeps the session usable', async () => {
    const c = await open(main.port);
    expect(await c.command('')).toMatch(/^-ERR/);
    expect(await c.command('\x00\xff\x01 garbage')).toMatch(/^-ERR unknown/);
    expect(await c.command('   ')).toMatch(/^-ERR/);
    expect(await c.command('USER')).toMatch(/^-ERR/);
    expect(await c.command('AUTH CRAM-MD5')).toMatch(/^-ERR/);
    expect(await c.command('constructor')).toMatch(/^-ERR unknown/);
    expect(await c.command('user robust@pec.alfa.test')).toMatch(/^\+OK/);
    expect(await c.command('pass pec')).toMatch(/^\+OK/);
    expect(await c.command('list 1 2')).toMatch(/^-ERR/);
    expect(await c.command('top 1 -1')).toMatch(/^-ERR/);
    expect(await c.command('dele 99999999999999999999')).toMatch(/^-ERR/);
    expect(await c.command('stat')).toBe(`+OK 2 ${body(2).join('').length}`);
    expect(await c.command('QUIT')).toMatch(/^\+OK/);
    expect(await c.waitClosed()).toBe(true);
  });

  it('refuses a line over 8 KB and closes the connection', async () => {
    const c = await open(main.port);
    c.send(`NOOP ${'x'.repeat(9000)}`);
    expect(await c.line()).toMatch(/^-ERR line too long/);
    expect(await c.waitClosed()).toBe(true);
  });

  it('answers pipelined commands in order (RFC 2449 PIPELINING)', async () => {
    const c = await open(main.port);
    c.send('USER robust@pec.alfa.test\r\nPASS pec\r\nSTAT\r\nLIST\r\nUIDL 1\r\nQUIT\r\n');
    expect(await c.line()).toMatch(/^\+OK send PASS/);
    expect(await c.line()).toMatch(/^\+OK robust@pec.alfa.test has 2 messages/);
    expect(await c.line()).toMatch(/^\+OK 2 /);
    expect(await c.line()).toMatch(/^\+OK 2 messages/);
    expect(await c.multiline()).toHaveLength(2);
    expect(await c.line()).toMatch(/^\+OK 1 \d+\.\d+$/);
    expect(await c.line()).toMatch(/^\+OK .*signing off/);
    expect(await c.waitClosed()).toBe(true);
  });

  it('ignores commands sent in clear after STLS (no STARTTLS command injection)', async () => {
    const c = await open(main.port);
    c.send('STLS\r\nUSER injected\r\n');
    expect(await c.line()).toBe('+OK begin TLS negotiation');
    const secure = tls.connect({ socket: c.socket, ca: cert, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
    let received = '';
    secure.on('data', (d: Buffer) => (received += d.toString()));
    secure.write('PASS pec\r\nCAPA\r\n');
    await until(() => received.includes('\r\n.\r\n'));
    expect(received.startsWith('-ERR send USER first\r\n+OK capability list')).toBe(true);
    expect(received).not.toContain('STLS');
    secure.destroy();
  });
});

describe('SASL PLAIN edge cases', () => {
  it('continuation form, cancellation, malformed data and foreign authzid', async () => {
    const c = await open(main.port);
    expect(await c.command('AUTH')).toMatch(/^\+OK/);
    expect(await c.multiline()).toEqual(['PLAIN']);
    expect(await c.command('AUTH PLAIN')).toBe('+ ');
    expect(await c.command('*')).toMatch(/^-ERR/);
    expect(await c.command('AUTH PLAIN')).toBe('+ ');
    expect(await c.command('!!!not-base64')).toMatch(/^-ERR \[AUTH\]/);
    expect(await c.command(`AUTH PLAIN ${plainAuth('someone@else\0robust@pec.alfa.test\0pec')}`)).toMatch(/^-ERR \[AUTH\]/);
    c.destroy();
    const d = await open(main.port);
    expect(await d.command('AUTH PLAIN')).toBe('+ ');
    expect(await d.command(plainAuth('robust@pec.alfa.test\0robust@pec.alfa.test\0pec'))).toMatch(/^\+OK/);
    expect(await d.command('QUIT')).toMatch(/^\+OK/);
  });
});

describe('login throttling', () => {
  it('delays each failure longer than the last, then closes', async () => {
    const s = await server({ authFailureDelayMs: 150, maxAuthFailures: 3 });
    const c = await open(s.port);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      expect(await c.command('USER robust@pec.alfa.test')).toMatch(/^\+OK/);
      const t0 = Date.now();
      expect(await c.command('PASS wrong')).toMatch(/^-ERR \[AUTH\]/);
      times.push(Date.now() - t0);
    }
    expect(times[0]).toBeGreaterThanOrEqual(140);
    expect(times[1]).toBeGreaterThanOrEqual(290);
    expect(times[2]).toBeGreaterThanOrEqual(590);
    expect(times[1]).toBeGreaterThan(times[0]);
    expect(await c.waitClosed(2000)).toBe(true);
  });
});

describe('session lifetime', () => {
  it('the idle timer closes the connection, deletes nothing and frees the lock', async () => {
    addMailbox(store, 'idle@pec.alfa.test', body(1));
    const s = await server({ idleTimeoutMs: 800 });
    const c = await loggedIn(s.port, 'idle@pec.alfa.test');
    expect(await c.command('DELE 1')).toMatch(/^\+OK/);
    expect(await c.line(5000)).toMatch(/^-ERR autologout/);
    expect(await c.waitClosed()).toBe(true);
    expect(count('idle@pec.alfa.test')).toBe(1);
    const again = await loggedIn(s.port, 'idle@pec.alfa.test');
    again.destroy();
  });

  it('close() ends open sessions without UPDATE and releases their locks', async () => {
    addMailbox(store, 'shutdown@pec.alfa.test', body(2));
    const s = await server();
    const c = await loggedIn(s.port, 'shutdown@pec.alfa.test');
    expect(await c.command('DELE 1')).toMatch(/^\+OK/);
    await s.close();
    expect(await c.waitClosed()).toBe(true);
    expect(count('shutdown@pec.alfa.test')).toBe(2);
    const d = await loggedIn(main.port, 'shutdown@pec.alfa.test');
    d.destroy();
  });

  it('a message expunged by another protocol mid-session gets -ERR, the rest still works', async () => {
    const inbox = addMailbox(store, 'gone@pec.alfa.test', body(2));
    const c = await loggedIn(main.port, 'gone@pec.alfa.test');
    const [first] = store.listMessages(inbox.id);
    store.setFlags(inbox.id, [first.uid], ['\\Deleted'], 'add');
    store.expunge(inbox.id);
    expect(await c.command('RETR 1')).toMatch(/^-ERR/);
    expect(await c.command('RETR 2')).toMatch(/^\+OK/);
    expect(await c.multiline()).toContain('Subject: m2');
    expect(await c.command('DELE 1')).toMatch(/^\+OK/);
    expect(await c.command('QUIT')).toMatch(/^\+OK/);
    expect(count('gone@pec.alfa.test')).toBe(1);
  });
});

describe('hooks (fault seam)', () => {
  it('onLogin can refuse a valid login; beforeRetr can drop the connection, keeping the mail', async () => {
    addMailbox(store, 'hooked@pec.alfa.test', body(2));
    const seen: string[] = [];
    const hooks: Pop3Hooks = {
      onLogin: (session) => {
        seen.push(`login ${session.address}`);
        return seen.length === 1 ? { action: 'refuse', code: 'SYS/TEMP', text: 'maintenance' } : undefined;
      },
      beforeRetr: (_session, message) => {
        seen.push(`retr ${message.number} ${message.uidl}`);
        return message.number === 2 ? { action: 'drop' } : { action: 'delay', ms: 50 };
      },
    };
    const s = await server({ hooks });
    const r = await poplib([
      { op: 'connect', port: s.port },
      { op: 'login', user: 'hooked@pec.alfa.test', password: 'pec' },
      { op: 'login', user: 'hooked@pec.alfa.test', password: 'pec' },
      { op: 'retr', n: 1 },
      { op: 'dele', n: 1 },
      { op: 'retr', n: 2 },
    ]);
    expect(r[1]).toEqual({ ok: false, error: '-ERR [SYS/TEMP] maintenance' });
    expect(r[2].ok).toBe(true);
    expect(r[3].ok).toBe(true);
    expect(r[5].ok).toBe(false);
    expect(seen[0]).toBe('login hooked@pec.alfa.test');
    expect(seen[2]).toMatch(/^retr 1 \d+\.\d+$/);
    expect(seen[3]).toMatch(/^retr 2 \d+\.\d+$/);
    expect(count('hooked@pec.alfa.test')).toBe(2);
    await until(async () => {
      const probe = await RawClient.connect(s.port);
      await probe.line();
      await probe.command('USER hooked@pec.alfa.test');
      const answer = await probe.command('PASS pec');
      probe.destroy();
      return answer?.startsWith('+OK') ?? false;
    });
  });

  it('logs logins, failures and updates through the log callback', () => {
    const names = new Set(events.map((e) => e.event));
    for (const e of ['listening', 'connect', 'login', 'login-failed', 'update', 'disconnect', 'line-too-long', 'timeout', 'hook']) {
      expect(names).toContain(e);
    }
    expect(JSON.stringify(events)).not.toContain('"pec"');
  });
});

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
