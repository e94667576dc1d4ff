// Reading a testbed mailbox the way PEC consumers do (§9): a real IMAP client (imapflow) over
// STARTTLS, every message of INBOX with its bytes and INTERNALDATE, each parsed as PEC.
import { ImapFlow } from 'imapflow';
import { parsePec, type ParsedPec } from '../../src/pec/parse.js';
import type { Testbed } from '../../src/testbed/testbed.js';

export interface ImapMessage {
  uid: number;
  internalDate: number;
  raw: Buffer;
  parsed: ParsedPec;
}

export function imapClient(tb: Testbed, user: string, password = 'pec'): ImapFlow {
  return new ImapFlow({
    host: tb.endpoints.imap.host,
    port: tb.endpoints.imap.port,
    secure: false,
    doSTARTTLS: true,
    tls: { ca: [tb.caPem], servername: 'localhost' },
    auth: { user, pass: password },
    logger: false,
  });
}

export async function readInbox(tb: Testbed, user: string): Promise<ImapMessage[]> {
  const client = imapClient(tb, user);
  await client.connect();
  try {
    const mailbox = await client.mailboxOpen('INBOX');
    const out: ImapMessage[] = [];
    if (mailbox.exists === 0) return out;
    for await (const m of client.fetch('1:*', { uid: true, source: true, internalDate: true })) {
      out.push({ uid: m.uid, internalDate: new Date(m.internalDate as Date | string).getTime(), raw: m.source!, parsed: parsePec(m.source!) });
    }
    return out;
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** messages about one identificativo (daticert, or the busta's Message-ID) */
export function about(messages: ImapMessage[], identificativo: string): ImapMessage[] {
  return messages.filter((m) => (m.parsed.daticert?.identificativo ?? m.parsed.ids.messageId?.replace(/^<|>$/g, '')) === identificativo);
}
