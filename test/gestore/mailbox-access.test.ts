// What a PEC consumer does after sending: read the busta (recipient) and the receipts (sender)
// through IMAP and POP3 with clients nobody here wrote — imapflow, Python's imaplib and poplib,
// curl — and check that every signature still verifies with openssl after the trip.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePec } from '../../src/pec/parse.js';
import type { Testbed } from '../../src/testbed/testbed.js';
import { about, readInbox } from '../faults/imap.js';
import { opensslSmimeVerify } from '../helpers/openssl.js';
import { inbox, rawOf, startTestTestbed, submit } from '../helpers/testbed.js';

const A = 'utente@pec.alfa.test';
const B = 'impresa@pec.beta.test';
let tb: Testbed;
let dir: string;
let caFile: string;
let identificativo: string;

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  tb = await startTestTestbed();
  dir = mkdtempSync(join(tmpdir(), 'pec-access-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, tb.caPem);
  const sent = await submit(tb, {
    from: A, to: B, subject: 'Fattura n. 15/2026 — consegna',
    attachments: [{ filename: 'fattura.xml', content: '<FatturaElettronica/>', contentType: 'application/xml' }],
  });
  identificativo = sent.identificativo!;
  await tb.idle();
});
afterAll(async () => {
  await tb?.stop();
});

function expectVerifies(raw: Buffer, what: string) {
  const verdict = opensslSmimeVerify(raw, tb.caPem);
  expect(verdict.ok, `${what}: ${verdict.output}`).toBe(true);
}

describe('IMAP', () => {
  it('imapflow: the busta at the recipient and both receipts at the sender, byte for byte', async () => {
    const atRecipient = about(await readInbox(tb, B), identificativo);
    expect(atRecipient.map((m) => m.parsed.kind)).toEqual(['posta-certificata']);
    const atSender = about(await readInbox(tb, A), identificativo);
    expect(atSender.map((m) => m.parsed.kind).sort()).toEqual(['accettazione', 'avvenuta-consegna']);
    for (const m of [...atRecipient, ...atSender]) {
      expectVerifies(m.raw, `${m.parsed.kind} over IMAP`);
      const stored = inbox(tb, m.parsed.kind === 'posta-certificata' ? B : A).find((hit) => hit.uid === m.uid)!;
      expect(m.raw.equals(rawOf(tb, stored))).toBe(true);
    }
  });

  it('Python imaplib: UNSEEN polling with FETCH BODY[] and STORE \\Seen, over IMAPS', async () => {
    const script = `
import imaplib, ssl, sys, os
ctx = ssl.create_default_context(cafile=sys.argv[3])
m = imaplib.IMAP4_SSL("127.0.0.1", int(sys.argv[1]), ssl_context=ctx)
m.login(sys.argv[2], "pec")
m.select("INBOX")
typ, data = m.uid("SEARCH", None, "UNSEEN")
for uid in data[0].split():
    typ, msg = m.uid("FETCH", uid, "(BODY[])")
    open(os.path.join(sys.argv[4], "imap-%s.eml" % uid.decode()), "wb").write(msg[0][1])
    m.uid("STORE", uid, "+FLAGS", "(\\\\Seen)")
typ, data = m.uid("SEARCH", None, "UNSEEN")
print("UIDS", len(data[0].split()))
m.logout()
`;
    const out = join(dir, 'imaplib');
    mkdirSync(out);
    const result = await run('python3', ['-c', script, String(tb.endpoints.imapTls.port), A, caFile, out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('UIDS 0');
    const files = readdirSync(out);
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const raw = readFileSync(join(out, file));
      if (parsePec(raw).daticert?.identificativo === identificativo) expectVerifies(raw, `${file} via imaplib`);
    }
    expect(inbox(tb, A).every((hit) => hit.flags.includes('\\Seen'))).toBe(true);
  });

  it('curl imaps://: the busta, then its daticert.xml as a MIME part', async () => {
    const busta = inbox(tb, B).find((hit) => hit.kind === 'posta-certificata')!;
    const url = `imaps://127.0.0.1:${tb.endpoints.imapTls.port}/INBOX;UID=${busta.uid}`;
    const file = join(dir, 'curl-busta.eml');
    const whole = await run('curl', ['-s', '--cacert', caFile, '-u', `${B}:pec`, url, '-o', file]);
    expect(whole.code, whole.stderr).toBe(0);
    expectVerifies(readFileSync(file), 'busta via curl');
    const part = await run('curl', ['-s', '--cacert', caFile, '-u', `${B}:pec`, `${url};SECTION=1.2`]);
    expect(part.code).toBe(0);
    expect(Buffer.from(part.stdout.replace(/\s+/g, ''), 'base64').toString('utf8')).toContain(`<identificativo>${identificativo}</identificativo>`);
  });
});

describe('POP3', () => {
  it('Python poplib over STLS: RETR returns messages that still verify; DELE at QUIT removes them', async () => {
    const script = `
import poplib, ssl, sys, os
ctx = ssl.create_default_context(cafile=sys.argv[3])
p = poplib.POP3("127.0.0.1", int(sys.argv[1])); p.stls(ctx)
p.user(sys.argv[2]); p.pass_("pec")
count, size = p.stat()
for i in range(1, count + 1):
    raw = b"\\r\\n".join(p.retr(i)[1]) + b"\\r\\n"
    open(os.path.join(sys.argv[4], "pop-%d.eml" % i), "wb").write(raw)
    p.dele(i)
p.quit()
print("COUNT", count)
`;
    const out = join(dir, 'poplib');
    mkdirSync(out);
    const result = await run('python3', ['-c', script, String(tb.endpoints.pop3.port), B, caFile, out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('COUNT 1');
    expectVerifies(readFileSync(join(out, 'pop-1.eml')), 'busta via poplib');
    expect(inbox(tb, B)).toHaveLength(0);
  });

  it('curl pop3s://: the delivery receipt, byte for byte', async () => {
    const hits = inbox(tb, A);
    const index = hits.findIndex((hit) => hit.kind === 'avvenuta-consegna') + 1;
    const result = await run('curl', ['-s', '--cacert', caFile, '-u', `${A}:pec`, `pop3s://127.0.0.1:${tb.endpoints.pop3Tls.port}/${index}`, '-o', join(dir, 'pop-receipt.eml')]);
    expect(result.code, result.stderr).toBe(0);
    const raw = readFileSync(join(dir, 'pop-receipt.eml'));
    expect(raw.equals(rawOf(tb, hits[index - 1]))).toBe(true);
    expectVerifies(raw, 'receipt via curl pop3s');
  });
});
