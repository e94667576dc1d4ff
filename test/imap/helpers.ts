// Shared set-up for the IMAP tests: the real SQLite store (in memory unless a path is given), one
// account with a password, a test CA from src/pki with a TLS certificate for 127.0.0.1, and both
// listeners (STARTTLS and implicit TLS) on ephemeral ports.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCa, issueTlsCertificate } from '../../src/pki/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { startImapServer, type ImapHooks, type ImapLimits, type ImapServer } from '../../src/imap/index.js';

export const USER = 'utente@pec.alfa.test';
export const PASSWORD = 'pec';

let tlsMaterial: { key: string; cert: string; caFile: string; caPem: string } | null = null;

/** one CA + server certificate per test file (RSA key generation is the slow part) */
export function testTls(): { key: string; cert: string; caFile: string; caPem: string } {
  if (tlsMaterial) return tlsMaterial;
  const ca = createCa();
  const server = issueTlsCertificate(ca, ['localhost', '127.0.0.1']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imap-ca-'));
  const caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, ca.certPem);
  tlsMaterial = { key: server.keyPem, cert: server.certPem, caFile, caPem: ca.certPem };
  return tlsMaterial;
}

export interface Fixture {
  store: Store;
  port: number;
  tlsPort: number;
  caFile: string;
  caPem: string;
  inbox(): number;
  events: Array<{ event: string; detail: Record<string, unknown> }>;
  close(): Promise<void>;
}

export interface FixtureOptions {
  store?: Store;
  limits?: Partial<ImapLimits>;
  hooks?: ImapHooks;
  /** keep the store open on close (for reopen tests) */
  keepStore?: boolean;
}

export async function startFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const store = options.store ?? openStore({ inMemory: true });
  if (!store.getAccount(USER)) store.createAccount({ address: USER, password: PASSWORD, gestore: 'alfa' });
  const tls = testTls();
  const events: Fixture['events'] = [];
  const common = {
    store,
    host: '127.0.0.1',
    port: 0,
    tls: { key: tls.key, cert: tls.cert },
    clock: { now: () => Date.now() },
    limits: options.limits,
    hooks: options.hooks,
    log: (event: string, detail: Record<string, unknown>) => events.push({ event, detail }),
    authenticate: async (user: string, password: string) => {
      const account = store.getAccount(user.toLowerCase());
      return account && account.enabled && account.password === password ? account.address : null;
    },
  };
  const servers: ImapServer[] = [await startImapServer(common), await startImapServer({ ...common, implicitTls: true })];
  return {
    store,
    port: servers[0].port,
    tlsPort: servers[1].port,
    caFile: tls.caFile,
    caPem: tls.caPem,
    events,
    inbox: () => store.getFolder(USER, 'INBOX')!.id,
    async close() {
      await Promise.all(servers.map((s) => s.close()));
      if (!options.keepStore) store.close();
    },
  };
}

/** a small RFC 5322 message with CRLF line ends */
export function simpleMessage(subject: string, body = 'Hello.\r\n', extra = ''): Buffer {
  return Buffer.from(
    `From: Mario Rossi <mario.rossi@pec.beta.test>\r\nTo: ${USER}\r\nSubject: ${subject}\r\n` +
      `Date: Mon, 15 Jan 2024 10:00:00 +0100\r\nMessage-ID: <${subject.replace(/\W/g, '')}@test>\r\n${extra}` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`,
  );
}
