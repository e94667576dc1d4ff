// The IMAP server judged by curl: imap:// upgraded with STARTTLS (--ssl-reqd), imaps:// with the
// test CA, SASL PLAIN with an initial response (curl's default), listing,
// fetching by UID and by section, custom commands (SEARCH, EXAMINE).

import fs from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedMessage, type SignedFixture } from './fixtures/signed-message.js';
import { PASSWORD, simpleMessage, startFixture, USER, type Fixture } from './helpers.js';

const run = promisify(execFile);

let f: Fixture;
let signed: SignedFixture;

async function curl(url: string, extra: string[] = [], user = `${USER}:${PASSWORD}`): Promise<{ code: number; out: Buffer; err: string }> {
  const args = ['-s', '-S', '--max-time', '20', '--cacert', f.caFile, '-u', user, ...extra, url];
  try {
    const { stdout, stderr } = await run('curl', args, { encoding: 'buffer', timeout: 30_000 });
    return { code: 0, out: stdout, err: stderr.toString() };
  } catch (err) {
    const e = err as { code: number; stdout: Buffer; stderr: Buffer };
    return { code: e.code, out: e.stdout, err: e.stderr.toString() };
  }
}

beforeAll(async () => {
  f = await startFixture({ limits: { loginFailureDelayMs: 10 } });
  signed = buildSignedMessage();
  f.store.appendMessage(f.inbox(), simpleMessage('Primo messaggio'));
  f.store.appendMessage(f.inbox(), signed.raw);
});

afterAll(async () => {
  await f?.close();
  if (signed) fs.rmSync(signed.dir, { recursive: true, force: true });
});

describe('curl', () => {
  it('lists mailboxes over STARTTLS (--ssl-reqd) with SASL PLAIN', async () => {
    const r = await curl(`imap://127.0.0.1:${f.port}/`, ['--ssl-reqd']);
    expect(r.code).toBe(0);
    const text = r.out.toString();
    expect(text).toMatch(/^\* LIST \(\\HasNoChildren\) "\/" INBOX\r$/m);
    expect(text).toMatch(/^\* LIST \(\\HasNoChildren \\Sent\) "\/" Sent\r$/m);
    expect(text).toMatch(/^\* LIST \(\\HasNoChildren \\Trash\) "\/" Trash\r$/m);
    const auth = f.events.filter((e) => e.event === 'imap.login').at(-1)!;
    expect(auth.detail.secure).toBe(true);
  });

  it('fetches a message by UID over imaps:// byte for byte, which sets \\Seen', async () => {
    const r = await curl(`imaps://127.0.0.1:${f.tlsPort}/INBOX;UID=2`);
    expect(r.code).toBe(0);
    expect(r.out.equals(signed.raw)).toBe(true);
    expect(f.store.getMessageByUid(f.inbox(), 2)!.flags).toContain('\\Seen');
  });

  it('fetches a nested section (daticert.xml body) and a partial', async () => {
    const r = await curl(`imaps://127.0.0.1:${f.tlsPort}/INBOX;UID=2;SECTION=1.2`);
    expect(r.code).toBe(0);
    expect(r.out.equals(signed.daticertBody)).toBe(true);
    const p = await curl(`imaps://127.0.0.1:${f.tlsPort}/INBOX;UID=2;SECTION=1.3.1;PARTIAL=0.8`);
    expect(p.out.toString()).toBe(signed.postacertPart1.subarray(0, 8).toString());
  });

  it('runs custom commands: SEARCH UNSEEN, and EXAMINE over plaintext loopback (allowed by design)', async () => {
    const s = await curl(`imap://127.0.0.1:${f.port}/INBOX`, ['--ssl-reqd', '-X', 'UID SEARCH UNSEEN']);
    expect(s.out.toString()).toMatch(/^\* SEARCH 1\r$/m);
    const e = await curl(`imap://127.0.0.1:${f.port}/`, ['-X', 'EXAMINE INBOX']);
    expect(e.code).toBe(0);
    expect(e.out.toString()).toMatch(/^\* 2 EXISTS\r$/m);
    expect(e.out.toString()).toMatch(/^\* OK \[UIDVALIDITY \d+\]/m);
  });

  it('is refused with a wrong password', async () => {
    const r = await curl(`imap://127.0.0.1:${f.port}/`, ['--ssl-reqd'], `${USER}:nope`);
    expect(r.code).toBe(67); // CURLE_LOGIN_DENIED
  });
});
