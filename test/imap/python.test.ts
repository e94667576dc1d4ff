// The IMAP server judged by Python's imaplib (and openssl for the signature): the polling loop
// PEC consumers actually run, STARTTLS, PEEK versus \Seen-setting fetches, and the slowdown and
// hang-up after repeated failed logins.

import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignedMessage, type SignedFixture } from './fixtures/signed-message.js';
import { PASSWORD, simpleMessage, startFixture, USER, type Fixture } from './helpers.js';

const run = promisify(execFile);
const SCRIPT = path.join(import.meta.dirname, 'fixtures', 'imaplib_client.py');

let f: Fixture;
let signed: SignedFixture;

async function python(mode: string, port: number, arg?: string): Promise<Record<string, any>> {
  const args = [SCRIPT, mode, '127.0.0.1', String(port), f.caFile, USER, PASSWORD];
  if (arg) args.push(arg);
  const { stdout } = await run('python3', args, { timeout: 30_000 });
  return JSON.parse(stdout);
}

beforeAll(async () => {
  f = await startFixture({ limits: { loginFailureDelayMs: 100, maxLoginFailures: 4 } });
  signed = buildSignedMessage();
});

afterAll(async () => {
  await f?.close();
  if (signed) fs.rmSync(signed.dir, { recursive: true, force: true });
});

describe('imaplib', () => {
  it('polls INBOX the way PEC consumers do and gets the signed receipt byte-exact (openssl verifies it)', async () => {
    const inbox = f.inbox();
    const plainRaw = simpleMessage('Ricevuta di accettazione');
    f.store.appendMessage(inbox, plainRaw);
    f.store.appendMessage(inbox, signed.raw);
    f.store.appendMessage(inbox, simpleMessage('already read'), { flags: ['\\Seen'] });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'imap-poll-'));
    const result = await python('poll', f.tlsPort, out);
    expect(result.fetched.map((m: { uid: number }) => m.uid)).toEqual([1, 2]);
    expect(result.fetched[0].fetchResponse).toMatch(/^1 \(UID 1 BODY\[\] \{\d+\}$|^1 \(BODY\[\] \{\d+\}/);
    expect(result.fetched[0].fetchResponse).toMatch(/UID 1/);
    expect(fs.readFileSync(path.join(out, '1.eml')).equals(plainRaw)).toBe(true);
    const receipt = path.join(out, '2.eml');
    expect(fs.readFileSync(receipt).equals(signed.raw)).toBe(true);
    // the signature still verifies on what came back over IMAP
    const verified = execFileSync('openssl', ['smime', '-verify', '-noverify', '-in', receipt, '-out', path.join(out, 'content')], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(verified).toBeDefined();
    expect(fs.readFileSync(path.join(out, 'content')).toString()).toContain('Content-Type: message/rfc822; name="postacert.eml"');
    expect(result.unseenAfter).toBe('');
    expect(result.seenAfter).toBe('1 2 3');
    expect(f.store.listMessages(inbox).every((m) => m.flags.includes('\\Seen'))).toBe(true);
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('upgrades with STARTTLS, advertised before and gone after', async () => {
    const result = await python('starttls', f.port);
    expect(result.before).toContain('STARTTLS');
    expect(result.before).toContain('AUTH=PLAIN');
    expect(result.after).not.toContain('STARTTLS');
    expect(result.login).toBe('OK');
    expect(result.cipher).toMatch(/TLS|AES|CHACHA/);
    expect(result.list.some((l: string) => l.includes('\\Sent') && l.endsWith('Sent'))).toBe(true);
  });

  it('BODY.PEEK and HEADER.FIELDS leave \\Seen alone; RFC822 and BODY[TEXT]<partial> set it', async () => {
    // peek mode works on INBOX: start from a clean one
    const inbox = f.inbox();
    for (const m of f.store.listMessages(inbox)) f.store.deleteMessage(m.id);
    f.store.appendMessage(inbox, simpleMessage('Primo'));
    f.store.appendMessage(inbox, simpleMessage('Secondo', 'Contenuto del secondo.\r\n'));
    const r = await python('peek', f.tlsPort);
    expect(r.peekResponse).toMatch(/BODY\[HEADER\.FIELDS \(Subject\)\] \{\d+\}/);
    expect(r.peekHeader).toBe('Subject: Primo\r\n\r\n');
    expect(r.afterPeek).not.toMatch(/\\Seen/);
    expect(r.rfc822Response).toMatch(/RFC822 \{\d+\}/);
    expect(`${r.rfc822Response}${r.rfc822Tail}`).toMatch(/FLAGS \([^)]*\\Seen/);
    expect(r.afterRfc822).toMatch(/\\Seen/);
    expect(r.partialResponse).toMatch(/BODY\[TEXT\]<0> \{5\}/);
    expect(r.partial).toBe('Conte');
    expect(r.afterPartial).toMatch(/\\Seen/);
  });

  it('answers the FAST / ALL / FULL macros and RFC822.* items; EXAMINE never sets \\Seen', async () => {
    const inbox = f.inbox();
    for (const m of f.store.listMessages(inbox)) f.store.deleteMessage(m.id);
    const when = Date.UTC(2024, 2, 5, 8, 9, 10);
    const raw = simpleMessage('Macro', 'Riga uno\r\nRiga due\r\n', 'Cc: "Ufficio, Protocollo" <protocollo@pec.comune-mineo.test>, undisclosed:;\r\n');
    f.store.appendMessage(inbox, raw, { internalDate: when });
    const r = await python('macros', f.tlsPort);
    expect(r.FAST).toMatch(/^1 \(FLAGS \([^)]*\) INTERNALDATE "[ \d]\d-Mar-2024 \d\d:\d\d:\d\d [+-]\d{4}" RFC822\.SIZE \d+\)$/);
    expect(r.FAST).toContain(`RFC822.SIZE ${raw.length})`);
    expect(r.internaldateEpoch).toBe(when / 1000);
    expect(r.ALL).toContain('ENVELOPE ("Mon, 15 Jan 2024 10:00:00 +0100" "Macro" (("Mario Rossi" NIL "mario.rossi" "pec.beta.test"))');
    // a quoted display name with a comma, then an empty group
    expect(r.ALL).toContain('(("Ufficio, Protocollo" NIL "protocollo" "pec.comune-mineo.test")(NIL NIL "undisclosed" NIL)(NIL NIL NIL NIL))');
    expect(r.FULL).toMatch(/BODY \("TEXT" "PLAIN" \("charset" "utf-8"\) NIL NIL "7BIT" 20 2\)\)$/);
    expect(r['(RFC822.HEADER RFC822.SIZE)']).toContain('Subject: Macro\r\n');
    expect(r['(RFC822.HEADER RFC822.SIZE)']).toMatch(/\r\n\r\n RFC822\.SIZE \d+\)$/);
    expect(r['(RFC822.TEXT)']).toMatch(/RFC822\.TEXT \{20\}Riga uno\r\nRiga due\r\n\)$/);
    expect(r['(BODY)']).toContain('BODY ("TEXT" "PLAIN"');
    expect(r.flagsAfter).not.toMatch(/\\Seen/);
  });

  it('answers failed logins ever more slowly, then says BYE', async () => {
    const r = await python('badlogin', f.port);
    // four NO [AUTHENTICATIONFAILED], then the BYE that imaplib reports as an abort
    expect(r.errors.slice(0, 4).every((e: string) => /AUTHENTICATIONFAILED/.test(e))).toBe(true);
    expect(r.errors[4]).toMatch(/^abort: .*Too many failed logins/);
    const t: number[] = r.timings;
    // 100, 200, 400, 800 ms configured; allow for a loaded machine
    expect(t[0]).toBeGreaterThanOrEqual(0.09);
    expect(t[1]).toBeGreaterThanOrEqual(0.19);
    expect(t[2]).toBeGreaterThanOrEqual(0.39);
    expect(t[3]).toBeGreaterThanOrEqual(0.79);
    expect(t[2]).toBeGreaterThan(t[0] * 2);
    expect(r.closedByServer).toBe(true);
    expect(f.events.filter((e) => e.event === 'imap.login-failed').length).toBeGreaterThanOrEqual(4);
  });
});
