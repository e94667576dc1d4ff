// The POP3 server judged by clients nobody here wrote: Python's poplib (plain, POP3_SSL, STLS)
// and curl (pop3://, pop3s://, STLS with --ssl-reqd, SASL PLAIN both forms), against a real
// store. Message bytes must come back exactly as stored.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPop3Server, type Pop3Server } from '../../src/pop3/index.js';
import type { Store } from '../../src/store/types.js';
import { b64, curl, poplib, selfSignedTls, smimeSigned, smimeVerifies, tempDir, type PoplibResult } from './helpers.js';
import { addMailbox, asRetrieved, authenticator, makeStore } from './setup.js';

const DOTS = Buffer.from(
  'From: alice@pec.alfa.test\r\nTo: bob@pec.beta.test\r\nSubject: punti\r\n\r\n' +
    'riga 1\r\n.inizia con un punto\r\n..due punti\r\n.\r\nultima riga\r\n',
);
const NO_FINAL_CRLF = Buffer.from('Subject: senza fine\r\n\r\nprima\r\nultima riga senza CRLF');
let SIGNED: Buffer;

let dir: ReturnType<typeof tempDir>;
let store: Store;
let plain: Pop3Server;
let implicit: Pop3Server;
let ca: string;

const ok = (r: PoplibResult): unknown => {
  if (!r.ok) throw new Error(`poplib step failed: ${r.error}`);
  return r.value;
};
const errorOf = (r: PoplibResult): string => (r.ok ? `unexpected +OK ${JSON.stringify(r.value)}` : r.error);
const login = (user: string, password = 'pec', conn = 'a') => ({ op: 'login', conn, user, password });
const connect = (port: number, mode = 'plain', conn = 'a') => ({ op: 'connect', conn, port, mode });

function mailbox(address: string, messages: Buffer[]) {
  return addMailbox(store, address, messages);
}

beforeAll(async () => {
  dir = tempDir();
  const tls = await selfSignedTls(dir.path);
  ca = tls.certPath;
  SIGNED = await smimeSigned(dir.path);
  store = makeStore();
  const common = { store, host: '127.0.0.1', port: 0, tls: { key: tls.key, cert: tls.cert }, authenticate: authenticator(store), authFailureDelayMs: 20 };
  plain = await startPop3Server(common);
  implicit = await startPop3Server({ ...common, implicitTls: true });
  mailbox('alice@pec.alfa.test', [DOTS, SIGNED, NO_FINAL_CRLF]);
});

afterAll(async () => {
  await plain?.close();
  await implicit?.close();
  store?.close();
  dir?.remove();
});

describe('read-only access (alice: dots, S/MIME, no final CRLF)', () => {
  it('the signed fixture verifies before it is stored', async () => {
    expect(await smimeVerifies(SIGNED)).toBe(true);
  });

  it('poplib over plain TCP: STAT, LIST, UIDL match the store, RETR is byte-exact', async () => {
    const inbox = store.getFolder('alice@pec.alfa.test', 'INBOX')!;
    const records = store.listMessages(inbox.id);
    const r = await poplib([
      connect(plain.port), login('alice@pec.alfa.test'), { op: 'stat' }, { op: 'list' }, { op: 'uidl' },
      { op: 'retr', n: 1 }, { op: 'retr', n: 2 }, { op: 'retr', n: 3 }, { op: 'list', n: 2 }, { op: 'uidl', n: 3 }, { op: 'quit' },
    ]);
    expect(ok(r[1])).toMatch(/^\+OK/);
    const total = DOTS.length + SIGNED.length + NO_FINAL_CRLF.length;
    expect(ok(r[2])).toEqual([3, total]);
    expect(ok(r[3])).toEqual([`1 ${DOTS.length}`, `2 ${SIGNED.length}`, `3 ${NO_FINAL_CRLF.length}`]);
    expect(ok(r[4])).toEqual(records.map((m, i) => `${i + 1} ${inbox.uidValidity}.${m.uid}`));
    expect(b64(ok(r[5])).equals(DOTS)).toBe(true);
    const signed = b64(ok(r[6]));
    expect(signed.equals(SIGNED)).toBe(true);
    expect(await smimeVerifies(signed)).toBe(true);
    expect(b64(ok(r[7])).equals(asRetrieved(NO_FINAL_CRLF))).toBe(true);
    expect(ok(r[8])).toBe(`+OK 2 ${SIGNED.length}`);
    expect(ok(r[9])).toBe(`+OK 3 ${inbox.uidValidity}.${records[2].uid}`);
  });

  it('poplib over POP3_SSL and over STLS, trusting only the given CA', async () => {
    const r = await poplib(
      [
        connect(implicit.port, 'ssl'), login('alice@pec.alfa.test'), { op: 'retr', n: 2 }, { op: 'capa' }, { op: 'quit' },
        connect(plain.port, 'stls', 'b'), login('alice@pec.alfa.test', 'pec', 'b'), { op: 'retr', n: 1, conn: 'b' }, { op: 'quit', conn: 'b' },
      ],
      ca,
    );
    const signed = b64(ok(r[2]));
    expect(signed.equals(SIGNED)).toBe(true);
    expect(await smimeVerifies(signed)).toBe(true);
    expect(Object.keys(ok(r[3]) as object)).not.toContain('STLS');
    expect(ok(r[5])).toBe('+OK begin TLS negotiation');
    expect(b64(ok(r[7])).equals(DOTS)).toBe(true);
  });

  it('CAPA advertises the extensions and STLS on the plain port', async () => {
    const r = await poplib([connect(plain.port), { op: 'capa' }, { op: 'quit' }]);
    const capa = ok(r[1]) as Record<string, string[]>;
    for (const c of ['TOP', 'UIDL', 'USER', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'STLS']) expect(capa).toHaveProperty(c);
    expect(capa.SASL).toEqual(['PLAIN']);
  });

  it('curl RETR over pop3:// (SASL PLAIN continuation and initial response), pop3s:// and STLS', async () => {
    const u = ['-u', 'alice@pec.alfa.test:pec'];
    const viaPlain = await curl([`pop3://127.0.0.1:${plain.port}/1`, ...u]);
    expect(viaPlain.stderr).toBe('');
    expect(viaPlain.stdout.equals(DOTS)).toBe(true);
    const viaIr = await curl([`pop3://127.0.0.1:${plain.port}/3`, '--sasl-ir', ...u]);
    expect(viaIr.stdout.equals(asRetrieved(NO_FINAL_CRLF))).toBe(true);
    const viaPop3s = await curl([`pop3s://127.0.0.1:${implicit.port}/2`, '--cacert', ca, ...u]);
    expect(viaPop3s.code).toBe(0);
    expect(viaPop3s.stdout.equals(SIGNED)).toBe(true);
    expect(await smimeVerifies(viaPop3s.stdout)).toBe(true);
    const viaStls = await curl([`pop3://127.0.0.1:${plain.port}/2`, '--ssl-reqd', '--cacert', ca, ...u]);
    expect(viaStls.code).toBe(0);
    expect(viaStls.stdout.equals(SIGNED)).toBe(true);
  });

  it('curl LIST and UIDL (poplib covers USER/PASS: curl prefers SASL whenever offered)', async () => {
    const inbox = store.getFolder('alice@pec.alfa.test', 'INBOX')!;
    const uids = store.listMessages(inbox.id).map((m) => m.uid);
    const base = [`pop3://127.0.0.1:${plain.port}/`, '-u', 'alice@pec.alfa.test:pec'];
    const list = await curl(base);
    expect(list.stdout.toString()).toBe(`1 ${DOTS.length}\r\n2 ${SIGNED.length}\r\n3 ${NO_FINAL_CRLF.length}\r\n`);
    const uidl = await curl([...base, '-X', 'UIDL']);
    expect(uidl.stdout.toString()).toBe(uids.map((u, i) => `${i + 1} ${inbox.uidValidity}.${u}\r\n`).join(''));
  });

  it('TOP returns headers, blank line and n body lines, exact and dot-stuffed', async () => {
    const headers = 'From: alice@pec.alfa.test\r\nTo: bob@pec.beta.test\r\nSubject: punti\r\n\r\n';
    const r = await poplib([
      connect(plain.port), login('alice@pec.alfa.test'),
      { op: 'top', n: 1, lines: 0 }, { op: 'top', n: 1, lines: 4 }, { op: 'top', n: 1, lines: 100 }, { op: 'quit' },
    ]);
    expect(b64(ok(r[2])).toString()).toBe(headers);
    expect(b64(ok(r[3])).toString()).toBe(`${headers}riga 1\r\n.inizia con un punto\r\n..due punti\r\n.\r\n`);
    expect(b64(ok(r[4])).equals(DOTS)).toBe(true);
    const viaCurl = await curl([`pop3://127.0.0.1:${plain.port}/`, '-u', 'alice@pec.alfa.test:pec', '-X', 'TOP 1 2']);
    expect(viaCurl.stdout.toString()).toBe(`${headers}riga 1\r\n.inizia con un punto\r\n`);
  });
});

describe('changes (one mailbox per test)', () => {
  const msgs = (n: number, tag: string): Buffer[] =>
    Array.from({ length: n }, (_, i) => Buffer.from(`Subject: ${tag} ${i + 1}\r\n\r\nbody ${i + 1}\r\n`));
  const subjects = (address: string): string[] => {
    const inbox = store.getFolder(address, 'INBOX')!;
    return store.listMessages(inbox.id).map((m) => store.getRaw(m.id).toString().split('\r\n')[0]);
  };
  const flagsOf = (address: string): string[][] => {
    const inbox = store.getFolder(address, 'INBOX')!;
    return store.listMessages(inbox.id).map((m) => m.flags);
  };

  it('RETR sets \\Seen in the store, TOP does not', async () => {
    mailbox('seen@pec.alfa.test', msgs(2, 'seen'));
    ok((await poplib([connect(plain.port), login('seen@pec.alfa.test'), { op: 'retr', n: 2 }, { op: 'top', n: 1, lines: 1 }, { op: 'quit' }]))[4]);
    const flags = flagsOf('seen@pec.alfa.test');
    expect(flags[0]).not.toContain('\\Seen');
    expect(flags[1]).toContain('\\Seen');
  });

  it('DELE then QUIT removes exactly the marked messages; the others keep their UIDL', async () => {
    mailbox('dele@pec.alfa.test', msgs(4, 'dele'));
    const before = await poplib([connect(plain.port), login('dele@pec.alfa.test'), { op: 'uidl' }, { op: 'quit' }]);
    const uidls = ok(before[2]) as string[];
    const r = await poplib([
      connect(plain.port), login('dele@pec.alfa.test'), { op: 'dele', n: 2 }, { op: 'dele', n: 4 },
      { op: 'stat' }, { op: 'list' }, { op: 'retr', n: 2 }, { op: 'dele', n: 2 }, { op: 'quit' },
    ]);
    expect(ok(r[4])).toEqual([2, msgs(4, 'dele')[0].length * 2]);
    expect(ok(r[5])).toEqual([`1 ${msgs(1, 'dele')[0].length}`, `3 ${msgs(3, 'dele')[2].length}`]);
    expect(errorOf(r[6])).toMatch(/^-ERR/);
    expect(errorOf(r[7])).toMatch(/^-ERR/);
    expect(ok(r[8])).toMatch(/^\+OK/);
    expect(subjects('dele@pec.alfa.test')).toEqual(['Subject: dele 1', 'Subject: dele 3']);
    const after = await poplib([connect(plain.port), login('dele@pec.alfa.test'), { op: 'uidl' }, { op: 'quit' }]);
    const keep = (l: string): string => l.split(' ')[1];
    expect((ok(after[2]) as string[]).map(keep)).toEqual([keep(uidls[0]), keep(uidls[2])]);
  });

  it('DELE then a dropped connection deletes nothing and frees the lock', async () => {
    mailbox('drop@pec.alfa.test', msgs(2, 'drop'));
    const r = await poplib([connect(plain.port), login('drop@pec.alfa.test'), { op: 'dele', n: 1 }, { op: 'dele', n: 2 }, { op: 'drop' }]);
    expect(ok(r[3])).toMatch(/^\+OK/);
    expect(subjects('drop@pec.alfa.test')).toEqual(['Subject: drop 1', 'Subject: drop 2']);
    // the server notices the drop asynchronously; the lock must go within moments
    let stat: unknown;
    for (let i = 0; i < 50 && stat === undefined; i++) {
      const again = await poplib([connect(plain.port), login('drop@pec.alfa.test'), { op: 'stat' }, { op: 'quit' }]);
      if (again[1].ok) stat = ok(again[2]);
      else await new Promise((res) => setTimeout(res, 50));
    }
    expect(stat).toEqual([2, msgs(2, 'drop')[0].length * 2]);
  });

  it('RSET unmarks: DELE, RSET, QUIT keeps everything', async () => {
    mailbox('rset@pec.alfa.test', msgs(3, 'rset'));
    const r = await poplib([
      connect(plain.port), login('rset@pec.alfa.test'), { op: 'dele', n: 1 }, { op: 'dele', n: 3 }, { op: 'rset' }, { op: 'stat' }, { op: 'quit' },
    ]);
    expect(ok(r[4])).toMatch(/^\+OK maildrop has 3 messages/);
    expect((ok(r[5]) as number[])[0]).toBe(3);
    expect(subjects('rset@pec.alfa.test')).toHaveLength(3);
  });

  it('a second session on a locked maildrop gets [IN-USE]; after QUIT it gets in', async () => {
    mailbox('lock@pec.alfa.test', msgs(1, 'lock'));
    const r = await poplib(
      [
        connect(plain.port), login('lock@pec.alfa.test'),
        connect(implicit.port, 'ssl', 'b'), login('lock@pec.alfa.test', 'pec', 'b'),
        { op: 'quit' },
        login('lock@pec.alfa.test', 'pec', 'b'), { op: 'stat', conn: 'b' }, { op: 'quit', conn: 'b' },
      ],
      ca,
    );
    expect(errorOf(r[3])).toMatch(/^-ERR \[IN-USE\]/);
    expect(ok(r[5])).toMatch(/^\+OK/);
    expect((ok(r[6]) as number[])[0]).toBe(1);
  });

  it('the maildrop is a snapshot: mail delivered during the session shows at the next login', async () => {
    const inbox = mailbox('snap@pec.alfa.test', msgs(1, 'snap'));
    // poplib runs a whole script at once, so the delivery happens between two scripts that
    // share nothing but the server: hold the first session open with a raw socket instead
    const { RawClient } = await import('./helpers.js');
    const c = await RawClient.connect(plain.port);
    await c.line();
    expect(await c.command('USER snap@pec.alfa.test')).toMatch(/^\+OK/);
    expect(await c.command('PASS pec')).toMatch(/^\+OK .* 1 messages/);
    store.appendMessage(inbox.id, Buffer.from('Subject: late\r\n\r\nlate\r\n'));
    expect(await c.command('STAT')).toMatch(/^\+OK 1 /);
    expect(await c.command('QUIT')).toMatch(/^\+OK/);
    const r = await poplib([connect(plain.port), login('snap@pec.alfa.test'), { op: 'stat' }, { op: 'quit' }]);
    expect((ok(r[2]) as number[])[0]).toBe(2);
  });
});

describe('refusals', () => {
  it('a wrong password gets -ERR [AUTH], from poplib and from curl', async () => {
    const r = await poplib([connect(plain.port), login('alice@pec.alfa.test', 'wrong'), login('nobody@pec.alfa.test', 'pec'), { op: 'quit' }]);
    expect(errorOf(r[1])).toMatch(/^-ERR \[AUTH\]/);
    expect(errorOf(r[2])).toMatch(/^-ERR \[AUTH\]/);
    const c = await curl([`pop3://127.0.0.1:${plain.port}/1`, '-u', 'alice@pec.alfa.test:wrong']);
    expect(c.code).toBe(67); // CURLE_LOGIN_DENIED
    expect(c.stdout.length).toBe(0);
  });

  it('commands in the wrong state and unknown commands get -ERR, and the session goes on', async () => {
    const r = await poplib([
      connect(plain.port),
      { op: 'cmd', line: 'STAT' }, { op: 'cmd', line: 'RETR 1' }, { op: 'cmd', line: 'PASS pec' }, { op: 'cmd', line: 'XYZZY' },
      login('alice@pec.alfa.test'),
      { op: 'cmd', line: 'USER alice@pec.alfa.test' }, { op: 'cmd', line: 'STLS' }, { op: 'cmd', line: 'XYZZY' },
      { op: 'cmd', line: 'RETR 0' }, { op: 'cmd', line: 'RETR 99' }, { op: 'cmd', line: 'RETR abc' }, { op: 'cmd', line: 'TOP 1' },
      { op: 'noop' }, { op: 'quit' },
    ]);
    for (const i of [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12]) expect(errorOf(r[i])).toMatch(/^-ERR/);
    expect(errorOf(r[1])).toMatch(/not valid/);
    expect(errorOf(r[4])).toMatch(/unknown command/);
    expect(ok(r[5])).toMatch(/^\+OK/);
    expect(ok(r[13])).toBe('+OK');
    expect(ok(r[14])).toMatch(/^\+OK/);
  });
});
