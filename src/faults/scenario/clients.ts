// The smallest IMAP and POP3 clients a scenario needs to read a mailbox the way consumers do
// (LOGIN, SELECT, FETCH BODY[] / USER, PASS, RETR) and to tell how the server reacted: fine,
// refused (NO / -ERR) or dropped (the connection closed without an answer). Implicit TLS with the
// testbed's CA. Kept here rather than using a client library so the CLI needs no dev dependency.
import tls from 'node:tls';

export type SessionOutcome = 'ok' | 'refused' | 'dropped';

export interface MailboxSessionResult {
  outcome: SessionOutcome;
  /** where it stopped, and the server's words */
  detail: string;
  messages: number;
  uidValidity?: number;
}

interface Target {
  host: string;
  port: number;
  caPem: string;
}

/** A TLS line reader: `next()` resolves with the next CRLF line, or null once the peer is gone. */
class Wire {
  private buffer = Buffer.alloc(0);
  private closed = false;
  private waiter: (() => void) | null = null;

  constructor(readonly socket: tls.TLSSocket) {
    socket.on('data', (chunk: Buffer) => { this.buffer = Buffer.concat([this.buffer, chunk]); this.poke(); });
    socket.on('close', () => { this.closed = true; this.poke(); });
    socket.on('error', () => { this.closed = true; this.poke(); });
  }

  private poke(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  private async fill(test: () => boolean): Promise<boolean> {
    while (!test()) {
      if (this.closed) return false;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    return true;
  }

  async line(): Promise<string | null> {
    if (!(await this.fill(() => this.buffer.includes('\r\n')))) return null;
    const end = this.buffer.indexOf('\r\n');
    const line = this.buffer.subarray(0, end).toString('latin1');
    this.buffer = this.buffer.subarray(end + 2);
    return line;
  }

  async bytes(n: number): Promise<boolean> {
    if (!(await this.fill(() => this.buffer.length >= n))) return false;
    this.buffer = this.buffer.subarray(n);
    return true;
  }

  send(text: string): void {
    if (!this.socket.destroyed) this.socket.write(text);
  }

  close(): void {
    this.socket.destroy();
  }
}

function connect(target: Target): Promise<Wire> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: target.host, port: target.port, ca: target.caPem, servername: 'localhost' }, () => resolve(new Wire(socket)));
    socket.once('error', reject);
  });
}

function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** LOGIN, SELECT INBOX, optionally FETCH 1:* BODY[], LOGOUT */
export async function imapSession(target: Target, user: string, password: string, read: boolean): Promise<MailboxSessionResult> {
  const wire = await connect(target);
  let tagN = 0;
  let exists = 0;
  let uidValidity: number | undefined;
  let fetched = 0;
  // one command: reads untagged lines (skipping literals) until its tagged answer
  const command = async (text: string): Promise<{ status: string; line: string } | null> => {
    const tag = `s${++tagN}`;
    wire.send(`${tag} ${text}\r\n`);
    for (;;) {
      const line = await wire.line();
      if (line === null) return null;
      const literal = /\{(\d+)\}$/.exec(line);
      if (literal && !(await wire.bytes(Number(literal[1])))) return null;
      const m = /^\* (\d+) EXISTS/.exec(line);
      if (m) exists = Number(m[1]);
      const v = /\[UIDVALIDITY (\d+)\]/.exec(line);
      if (v) uidValidity = Number(v[1]);
      if (/^\* \d+ FETCH /.test(line)) fetched++;
      if (line.startsWith(`${tag} `)) return { status: line.split(' ')[1], line };
    }
  };
  try {
    if ((await wire.line()) === null) return { outcome: 'dropped', detail: 'no greeting', messages: 0 };
    const steps: Array<[string, string]> = [['LOGIN', `LOGIN ${quote(user)} ${quote(password)}`], ['SELECT', 'SELECT INBOX']];
    for (const [name, text] of steps) {
      const answer = await command(text);
      if (!answer) return { outcome: 'dropped', detail: `connection closed at ${name}`, messages: 0, uidValidity };
      if (answer.status !== 'OK') return { outcome: 'refused', detail: `${name}: ${answer.line}`, messages: 0, uidValidity };
    }
    if (read && exists > 0) {
      const answer = await command('FETCH 1:* (UID BODY[])');
      if (!answer) return { outcome: 'dropped', detail: 'connection closed at FETCH', messages: fetched, uidValidity };
      if (answer.status !== 'OK') return { outcome: 'refused', detail: `FETCH: ${answer.line}`, messages: fetched, uidValidity };
    }
    await command('LOGOUT');
    return { outcome: 'ok', detail: `${exists} message(s)`, messages: read ? fetched : exists, uidValidity };
  } finally {
    wire.close();
  }
}

/** USER, PASS, STAT, optionally RETR each, QUIT (no DELE: the maildrop stays as it was) */
export async function pop3Session(target: Target, user: string, password: string, read: boolean): Promise<MailboxSessionResult> {
  const wire = await connect(target);
  const command = async (text: string, multiline = false): Promise<string | null> => {
    wire.send(`${text}\r\n`);
    const status = await wire.line();
    if (status === null || !status.startsWith('+OK') || !multiline) return status;
    for (;;) {
      const line = await wire.line();
      if (line === null) return null;
      if (line === '.') return status;
    }
  };
  try {
    if ((await wire.line()) === null) return { outcome: 'dropped', detail: 'no greeting', messages: 0 };
    let count = 0;
    for (const [name, text] of [['USER', `USER ${user}`], ['PASS', `PASS ${password}`], ['STAT', 'STAT']] as const) {
      const answer = await command(text);
      if (answer === null) return { outcome: 'dropped', detail: `connection closed at ${name}`, messages: 0 };
      if (!answer.startsWith('+OK')) return { outcome: 'refused', detail: `${name}: ${answer}`, messages: 0 };
      if (name === 'STAT') count = Number(answer.split(' ')[1] ?? 0);
    }
    let retrieved = 0;
    for (let n = 1; read && n <= count; n++) {
      const answer = await command(`RETR ${n}`, true);
      if (answer === null) return { outcome: 'dropped', detail: `connection closed at RETR ${n}`, messages: retrieved };
      if (!answer.startsWith('+OK')) return { outcome: 'refused', detail: `RETR ${n}: ${answer}`, messages: retrieved };
      retrieved++;
    }
    await command('QUIT');
    return { outcome: 'ok', detail: `${count} message(s)`, messages: read ? retrieved : count };
  } finally {
    wire.close();
  }
}
