// Starting a testbed for a test: in memory, on ephemeral ports, with a PKI in a per-run temp
// directory, and a nodemailer client that submits through the real punto di accesso.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { startTestbed, type Testbed, type TestbedOptions } from '../../src/testbed/testbed.js';
import type { MessageHit } from '../../src/store/types.js';
import { identificativoFromReply } from '../../src/gestore/accesso.js';

let sharedCerts: string | null = null;

/** one PKI per test process: generating keys is the slow part of start-up */
export function testCertsDir(): string {
  sharedCerts ??= mkdtempSync(join(tmpdir(), 'pec-certs-'));
  return sharedCerts;
}

export async function startTestTestbed(options: TestbedOptions = {}): Promise<Testbed> {
  return startTestbed({ inMemory: true, ports: 'ephemeral', certsDir: testCertsDir(), ...options });
}

export interface SubmitOptions {
  from: string;
  to: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  subject?: string;
  text?: string;
  headers?: Record<string, string>;
  attachments?: Array<{ filename: string; content: Buffer | string; contentType?: string }>;
  password?: string;
  envelope?: { from: string; to: string[] };
  messageId?: string;
  raw?: Buffer | string;
}

export async function submit(tb: Testbed, options: SubmitOptions): Promise<{ response: string; messageId: string; identificativo: string | null }> {
  const transport = nodemailer.createTransport({
    host: tb.endpoints.submission.host,
    port: tb.endpoints.submission.port,
    secure: false,
    requireTLS: true,
    auth: { user: options.from, pass: options.password ?? 'pec' },
    tls: { ca: tb.caPem },
  });
  try {
    const info = await transport.sendMail(options.raw
      ? { envelope: options.envelope ?? { from: options.from, to: ([] as string[]).concat(options.to) }, raw: options.raw }
      : {
          from: options.from,
          to: options.to,
          cc: options.cc,
          bcc: options.bcc,
          subject: options.subject ?? 'Prova',
          text: options.text ?? 'Testo di prova',
          headers: options.headers,
          attachments: options.attachments,
          messageId: options.messageId,
          envelope: options.envelope,
        });
    return { response: info.response, messageId: info.messageId, identificativo: identificativoFromReply(info.response) };
  } finally {
    transport.close();
  }
}

export function inbox(tb: Testbed, address: string, folder = 'INBOX'): MessageHit[] {
  return tb.store.findMessages({ address, folder });
}

export function rawOf(tb: Testbed, hit: MessageHit): Buffer {
  return tb.store.getRaw(hit.id);
}
