// The `imap.fetch` `drop` fault cuts the connection inside the FETCH answer's `{N}` literal: the
// client sees the literal announced, gets fewer bytes than that, then EOF. Judged by a bare TCP
// client (exact bytes) and by Python's imaplib over IMAPS (what a consumer's library does with it).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Testbed } from '../../src/testbed/testbed.js';
import { RawClient } from '../imap/raw-client.js';
import { startTestTestbed } from '../helpers/testbed.js';

const A = 'protocollo@pec.comune-giardinello.test';
const B = 'protocollo@pec.comune-mineo.test';

let tb: Testbed;
let stored: Buffer;

beforeAll(async () => {
  tb = await startTestTestbed();
  await tb.send({ from: A, to: B, subject: 'Da leggere a metà', text: 'Un corpo abbastanza lungo da tagliare.\n'.repeat(50) });
  await tb.idle();
  const [busta] = tb.messages({ mailbox: B, kind: 'posta-certificata' });
  stored = busta.raw();
});
afterAll(async () => {
  await tb?.stop();
});

describe('imap.fetch drop', () => {
  it('a raw client: the literal announced, part of it sent, then EOF; nothing changed for the next session', async () => {
    tb.faults.add({ at: 'imap.fetch', match: { user: B }, do: { drop: true }, times: 1 });
    const { client } = await RawClient.connect(tb.endpoints.imap.port, tb.endpoints.imap.host);
    expect((await client.command('a', `LOGIN ${B} pec`)).at(-1)).toMatch(/^a OK/);
    expect((await client.command('b', 'SELECT INBOX')).at(-1)).toMatch(/^b OK/);
    client.send('c UID FETCH 1:* (UID BODY[])\r\n');
    const line = await client.line();
    const announced = /^\* 1 FETCH \(UID 1 BODY\[\] \{(\d+)\}$/.exec(line);
    expect(announced, line).not.toBeNull();
    expect(Number(announced![1])).toBe(stored.length);
    expect(await client.closed()).toBe(true);
    const got = Buffer.from(await client.drain(0), 'latin1');
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(stored.length);
    expect(got.equals(stored.subarray(0, got.length))).toBe(true);

    // once only, and the cut FETCH set no \Seen: the message is still there to be read whole
    const { client: again } = await RawClient.connect(tb.endpoints.imap.port, tb.endpoints.imap.host);
    await again.command('a', `LOGIN ${B} pec`);
    await again.command('b', 'SELECT INBOX');
    expect((await again.command('c', 'UID FETCH 1 (FLAGS)'))[0]).not.toMatch(/Seen/);
    again.destroy();
  });

  it('a FETCH without a literal is cut inside its response line', async () => {
    tb.faults.add({ at: 'imap.fetch', match: { user: B }, do: { drop: true }, times: 1 });
    const { client } = await RawClient.connect(tb.endpoints.imap.port, tb.endpoints.imap.host);
    await client.command('a', `LOGIN ${B} pec`);
    await client.command('b', 'SELECT INBOX');
    client.send('c UID FETCH 1 (UID FLAGS INTERNALDATE)\r\n');
    expect(await client.closed()).toBe(true);
    const got = await client.drain(0);
    expect(got).toMatch(/^\* 1 FETCH \(UID 1 /);
    expect(got).not.toContain('\r\n');
  });

  it("Python's imaplib over IMAPS reads a short literal, then fails on EOF", async () => {
    tb.faults.add({ at: 'imap.fetch', match: { user: B }, do: { drop: true }, times: 1 });
    const script = `
import imaplib, json, ssl, sys
reads = []
class Recording(imaplib.IMAP4_SSL):
    def read(self, size):
        data = super().read(size)
        reads.append([size, len(data)])
        return data
ctx = ssl.create_default_context(cafile=sys.argv[3])
ctx.check_hostname = False
c = Recording(sys.argv[1], int(sys.argv[2]), ssl_context=ctx, timeout=10)
c.login(sys.argv[4], 'pec')
c.select('INBOX')
try:
    typ, data = c.uid('FETCH', '1:*', '(BODY[])')
    out = {'outcome': 'answered', 'typ': typ}
except imaplib.IMAP4.abort as e:
    out = {'outcome': 'abort', 'error': str(e)}
out['reads'] = reads
print(json.dumps(out))
`;
    const dir = mkdtempSync(join(tmpdir(), 'imap-fetch-drop-'));
    writeFileSync(join(dir, 'ca.pem'), tb.caPem);
    // asynchronous: the IMAP server runs in this very process and must keep answering
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile('python3', ['-c', script, tb.endpoints.imapTls.host, String(tb.endpoints.imapTls.port), join(dir, 'ca.pem'), B], { encoding: 'utf8', timeout: 30_000 },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)));
    });
    const result = JSON.parse(stdout) as { outcome: string; error?: string; reads: Array<[number, number]> };
    expect(result.outcome).toBe('abort');
    expect(result.error).toMatch(/EOF/);
    expect(result.reads).toHaveLength(1);
    const [[asked, got]] = result.reads;
    expect(asked).toBe(stored.length);
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(asked);
  });
});
