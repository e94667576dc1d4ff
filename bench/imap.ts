// IMAP server benchmark: SELECT + UID SEARCH UNSEEN on a 10,000-message INBOX (target < 100 ms,
// measured as client round trips on a bare socket), and FETCH BODY[] throughput of 20 KB
// messages with one imapflow client. Run: npx tsx bench/imap.ts

import net from 'node:net';
import { ImapFlow } from 'imapflow';
import { startImapServer } from '../src/imap/index.js';
import { openStore } from '../src/store/index.js';

const USER = 'bench@pec.alfa.test';
const PASSWORD = 'pec';

function message(i: number, bodyBytes: number): Buffer {
  const line = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n';
  const body = line.repeat(Math.ceil(bodyBytes / line.length)).slice(0, bodyBytes);
  return Buffer.from(
    `From: mittente@pec.beta.test\r\nTo: ${USER}\r\nSubject: Messaggio ${i}\r\nDate: Mon, 15 Jan 2024 10:00:00 +0100\r\n` +
      `Message-ID: <bench-${i}@pec.beta.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`,
  );
}

/** sends commands on a bare socket and resolves when the tagged answer of the last one arrives */
class Wire {
  private buffer = '';
  private waiter: (() => void) | null = null;
  constructor(private readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.buffer += d;
      this.waiter?.();
    });
  }
  static async open(port: number): Promise<Wire> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const wire = new Wire(socket);
    await wire.waitFor(/^\* OK/m);
    return wire;
  }
  async waitFor(re: RegExp): Promise<string> {
    while (!re.test(this.buffer)) await new Promise<void>((r) => (this.waiter = r));
    const out = this.buffer;
    this.buffer = '';
    return out;
  }
  async run(tag: string, command: string): Promise<string> {
    this.socket.write(`${tag} ${command}\r\n`);
    return this.waitFor(new RegExp(`^${tag} (OK|NO|BAD)`, 'm'));
  }
  close(): void {
    this.socket.destroy();
  }
}

export async function benchImap(): Promise<{ fetchPerSecond: number; selectSearchMs: number }> {
  const store = openStore({ inMemory: true });
  store.createAccount({ address: USER, password: PASSWORD, gestore: 'alfa' });
  const inbox = store.getFolder(USER, 'INBOX')!;
  const small = message(0, 600);
  store.transaction(() => {
    for (let i = 0; i < 10_000; i++) store.appendMessage(inbox.id, small, { flags: i % 1000 === 7 ? [] : ['\\Seen'] });
  });
  const archive = store.createFolder(USER, 'Archive');
  const FETCH_COUNT = 2000;
  const big = message(1, 20 * 1024);
  store.transaction(() => {
    for (let i = 0; i < FETCH_COUNT; i++) store.appendMessage(archive.id, big);
  });

  const server = await startImapServer({
    store,
    host: '127.0.0.1',
    port: 0,
    clock: { now: () => Date.now() },
    authenticate: async (user, password) => (user === USER && password === PASSWORD ? USER : null),
  });
  try {
    const wire = await Wire.open(server.port);
    await wire.run('l', `LOGIN ${USER} ${PASSWORD}`);
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = process.hrtime.bigint();
      await wire.run(`s${i}`, 'SELECT INBOX');
      const found = await wire.run(`q${i}`, 'UID SEARCH UNSEEN');
      runs.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (!/^\* SEARCH( \d+){10}\r$/m.test(found)) throw new Error(`unexpected SEARCH answer: ${found.slice(0, 200)}`);
    }
    wire.close();
    runs.sort((a, b) => a - b);
    const selectSearchMs = runs[Math.floor(runs.length / 2)];

    const client = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, doSTARTTLS: false, auth: { user: USER, pass: PASSWORD }, logger: false });
    await client.connect();
    await client.mailboxOpen('Archive');
    const started = process.hrtime.bigint();
    let count = 0;
    let bytes = 0;
    for await (const m of client.fetch('1:*', { source: true })) {
      count++;
      bytes += m.source!.length;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await client.logout();
    if (count !== FETCH_COUNT || bytes !== FETCH_COUNT * big.length) throw new Error(`fetched ${count} messages, ${bytes} bytes`);
    return { fetchPerSecond: Math.round(count / seconds), selectSearchMs: Math.round(selectSearchMs * 10) / 10 };
  } finally {
    await server.close();
    store.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchImap();
  console.log(JSON.stringify(result));
  console.log(`SELECT + UID SEARCH UNSEEN on 10,000 messages: ${result.selectSearchMs} ms (median of 5)`);
  console.log(`FETCH BODY[] of 20 KB messages, one imapflow client: ${result.fetchPerSecond} messages/s`);
}
