// Transport and mailbox-access faults added at run time (tb.faults), seen through real clients:
// nodemailer for SMTP, imapflow for IMAP, Python's poplib for POP3.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Testbed } from '../../src/testbed/testbed.js';
import { startTestTestbed, submit } from '../helpers/testbed.js';
import { about, imapClient, readInbox } from './imap.js';

const A = 'protocollo@pec.comune-giardinello.test';
const B = 'protocollo@pec.comune-mineo.test';

let tb: Testbed;
beforeAll(async () => {
  tb = await startTestTestbed({ clock: { speed: 0 } });
});
afterAll(async () => {
  await tb?.stop();
});
beforeEach(async () => {
  await tb.idle();
  tb.faults.clear();
});

describe('SMTP faults', () => {
  it('4xx at RCPT of the submission, once: the client sees it, the retry goes through', async () => {
    const rule = tb.faults.add({ at: 'smtp.rcpt', match: { service: 'submission', recipient: B }, do: { reply: { code: 451, message: '4.3.0 Riprova' } }, times: 1 });
    await expect(submit(tb, { from: A, to: B, subject: 'Primo tentativo' })).rejects.toMatchObject({ responseCode: 451 });
    const sent = await submit(tb, { from: A, to: B, subject: 'Secondo tentativo' });
    expect(sent.identificativo).toBeTruthy();
    expect(tb.faults.list().find((r) => r.id === rule.id)).toMatchObject({ hits: 1, exhausted: true });
  });

  it('5xx at DATA of the submission: refused, nothing certified', async () => {
    tb.faults.add({ at: 'smtp.data', match: { service: 'submission' }, do: { reply: { code: 554, message: '5.6.0 Contenuto rifiutato' } } });
    await expect(submit(tb, { from: A, to: B, subject: 'Rifiutato' })).rejects.toMatchObject({ responseCode: 554, response: expect.stringContaining('5.6.0 Contenuto rifiutato') });
  });

  it('at connect: a 421 greeting, or no greeting at all (dropped)', async () => {
    tb.faults.add({ at: 'smtp.connect', match: { service: 'submission' }, do: { reply: { code: 421, message: '4.3.2 Servizio non disponibile' } }, times: 1 });
    await expect(submit(tb, { from: A, to: B, subject: 'Saluto 421' })).rejects.toMatchObject({ responseCode: 421 });
    tb.faults.add({ at: 'smtp.connect', match: { service: 'submission' }, do: { drop: true }, times: 1 });
    const dropped = await submit(tb, { from: A, to: B, subject: 'Nessun saluto' }).catch((e: { responseCode?: number; code?: string }) => e);
    expect(dropped).toMatchObject({ code: expect.stringMatching(/^E/) });
    expect((dropped as { responseCode?: number }).responseCode).toBeUndefined();
  });

  it('a connection dropped after DATA at the MX: the relay retries and the busta arrives exactly once', async () => {
    tb.faults.add({ at: 'smtp.data', match: { service: 'mx', sender: 'posta-certificata@pec.alfa.test' }, do: { drop: true }, times: 1 });
    const sent = await submit(tb, { from: A, to: B, subject: 'Connessione caduta' });
    await tb.advance('1m');
    expect(about(await readInbox(tb, B), sent.identificativo!).map((m) => m.parsed.kind)).toEqual(['posta-certificata']);
    expect(about(await readInbox(tb, A), sent.identificativo!).map((m) => m.parsed.kind)).toEqual(['accettazione', 'avvenuta-consegna']);
    expect(tb.store.queryLog({ event: 'lavoro-ritentato', identificativo: sent.identificativo! })).toHaveLength(1);
  });
});

describe('IMAP faults (imapflow)', () => {
  it('a refused login', async () => {
    tb.faults.add({ at: 'imap.login', match: { user: B }, do: { refuse: 'Casella in manutenzione' }, times: 1 });
    const client = imapClient(tb, B);
    await expect(client.connect()).rejects.toThrow();
    client.close();
    // once only: the next login works
    await expect(readInbox(tb, B)).resolves.toBeInstanceOf(Array);
  });

  it('a connection dropped at FETCH', async () => {
    await submit(tb, { from: A, to: B, subject: 'Da leggere' });
    await tb.idle();
    tb.faults.add({ at: 'imap.fetch', match: { user: B }, do: { drop: true }, times: 1 });
    const client = imapClient(tb, B);
    await client.connect();
    await client.mailboxOpen('INBOX');
    const closed = new Promise((resolve) => client.once('close', resolve));
    await expect((async () => {
      for await (const m of client.fetch('1:*', { source: true })) void m;
    })()).rejects.toThrow();
    await closed;
  });

  it('a UIDVALIDITY change at login', async () => {
    const uidValidity = async () => {
      const client = imapClient(tb, B);
      await client.connect();
      try {
        return (await client.mailboxOpen('INBOX')).uidValidity;
      } finally {
        await client.logout();
      }
    };
    const before = await uidValidity();
    expect(await uidValidity()).toBe(before);
    tb.faults.add({ at: 'imap.login', match: { user: B }, do: { resetUidValidity: true }, times: 1 });
    const after = await uidValidity();
    expect(after).not.toBe(before);
    expect(await uidValidity()).toBe(after);
  });
});

describe('POP3 faults (Python poplib)', () => {
  const script = `
import poplib, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[3])
ctx.check_hostname = False
try:
    p = poplib.POP3_SSL(sys.argv[1], int(sys.argv[2]), context=ctx, timeout=10)
    p.user(sys.argv[4]); p.pass_('pec')
    count = len(p.list()[1])
    for n in range(1, count + 1): p.retr(n)
    p.quit()
    print('ok', count)
except poplib.error_proto as e:
    # poplib reports a connection closed mid-answer as "-ERR EOF"
    print('dropped' if 'EOF' in str(e) else 'refused', e)
except (EOFError, ConnectionError, OSError) as e:
    print('dropped', type(e).__name__)
`;
  const dir = mkdtempSync(join(tmpdir(), 'pop3-faults-'));
  // asynchronous: the POP3 server runs in this very process and must keep answering
  const pop3 = (user: string) => new Promise<string>((resolve) => {
    writeFileSync(join(dir, 'ca.pem'), tb.caPem);
    execFile('python3', ['-c', script, tb.endpoints.pop3Tls.host, String(tb.endpoints.pop3Tls.port), join(dir, 'ca.pem'), user], { encoding: 'utf8', timeout: 30_000 },
      (_error, stdout, stderr) => resolve(`${stdout}${stderr}`.trim()));
  });

  it('a refused login, then a connection dropped at the second RETR', async () => {
    await submit(tb, { from: A, to: B, subject: 'Per POP3' });
    await tb.idle();
    tb.faults.add({ at: 'pop3.login', match: { user: A }, do: { refuse: '[IN-USE] Casella occupata' }, times: 1 });
    expect(await pop3(A)).toMatch(/^refused .*IN-USE/);
    tb.faults.add({ at: 'pop3.retr', match: { user: A, nth: 2 }, do: { drop: true } });
    expect(await pop3(A)).toMatch(/^dropped/);
    expect(await pop3(A)).toMatch(/^ok \d+/);
  });
});
