// The worker-thread side of relay-host.ts: a few reused SMTP connections per next hop, each
// message sent as given (envelope + raw bytes), and nodemailer's own result fields sent back.
// It drives nodemailer's SMTPConnection (its documented low-level client) rather than a pooled
// transport: the transport composes every message through MailComposer and MimeNode streams even
// when the bytes are final, which cost a third of this thread per message.
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { asBuffer } from '../threads/bytes.js';
import type { RelayHostError, RelayHostInfo } from './relay-host.js';

export interface RelayWorkerData {
  name: string;
  caPem: string;
}

export type RelayWorkerRequest =
  | { type: 'send'; id: number; target: { host: string; port: number }; from: string; to: string[]; raw: Uint8Array }
  | { type: 'close' };

const CONNECTIONS_PER_HOP = 4;

interface Pending {
  id: number;
  from: string;
  to: string[];
  raw: Buffer;
  /** already tried once on a connection the peer had closed in between */
  retried: boolean;
}

type SendError = Error & { code?: string; responseCode?: number; response?: string; rejectedErrors?: unknown };

/** the failures after which the same message may go out on another connection */
const isTransient = (error: SendError): boolean =>
  error.responseCode === 421 || error.code === 'ECONNECTION' || error.code === 'ESOCKET' || error.code === 'ETIMEDOUT';

type RecipientErrors = RelayHostInfo['rejectedErrors'];
const recipientErrors = (list: unknown): RecipientErrors =>
  ((list as RecipientErrors | undefined) ?? []).map((e) => ({ recipient: e.recipient, responseCode: e.responseCode, response: e.response }));

const { name, caPem } = workerData as RelayWorkerData;
const port = parentPort;
if (!port) throw new Error('relay-worker runs in a worker thread only');

function answerError(id: number, err: SendError): void {
  const error: RelayHostError = {
    code: err.code, responseCode: err.responseCode, response: err.response, message: String(err.message ?? err),
    rejectedErrors: err.rejectedErrors === undefined ? undefined : recipientErrors(err.rejectedErrors),
  };
  port!.postMessage({ id, error });
}

/** the connections to one next hop and the messages waiting for one of them */
class NextHop {
  private readonly idle = new Set<SMTPConnection>();
  private readonly queue: Pending[] = [];
  private open = 0;
  private connecting = 0;
  private closing = false;
  /** connections that carried a message before: the peer may have dropped them since */
  private readonly used = new WeakSet<SMTPConnection>();

  constructor(private readonly target: { host: string; port: number }) {}

  send(pending: Pending): void {
    this.queue.push(pending);
    this.pump();
  }

  /** QUIT on every idle connection; busy ones finish their message and then quit */
  close(): void {
    this.closing = true;
    for (const connection of this.idle) connection.quit();
    this.idle.clear();
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.closing) {
      const [connection] = this.idle;
      if (connection) {
        this.idle.delete(connection);
        this.transfer(connection, this.queue.shift()!);
      } else if (this.open < CONNECTIONS_PER_HOP && this.connecting < this.queue.length) {
        this.connect();
      } else {
        return;
      }
    }
  }

  private connect(): void {
    const connection = new SMTPConnection({
      host: this.target.host,
      port: this.target.port,
      secure: false,
      name,
      // Opportunistic STARTTLS with the testbed's CA; a plain peer (e.g. an external
      // implementation under test without TLS) still works.
      tls: { ca: caPem },
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 60_000,
    });
    this.open++;
    this.connecting++;
    let settled = false;
    const connected = (err?: SendError): void => {
      if (settled) return;
      settled = true;
      this.connecting--;
      if (!err) return this.release(connection);
      // The hop is down or refused us: the oldest waiting message reports it (its relay job
      // retries with backoff); the others wait for the connections still coming or the next.
      connection.close();
      const pending = this.queue.shift();
      if (pending) answerError(pending.id, err);
    };
    // Before the handshake ends a failure only comes as this event; afterwards the send
    // callbacks report it too, and the event is only listened to.
    connection.on('error', connected);
    connection.once('end', () => {
      this.open--;
      // the peer may have ended an idle session (its idle timeout): the next message opens a new one
      this.idle.delete(connection);
      this.pump();
    });
    connection.connect(connected);
  }

  private release(connection: SMTPConnection): void {
    if (connection.destroyed) return;
    // once closing, nothing more goes out: its answer could not reach the engine, which would
    // send the message again after a restart
    if (this.closing) return connection.quit();
    const next = this.queue.shift();
    if (next) return this.transfer(connection, next);
    this.idle.add(connection);
  }

  private transfer(connection: SMTPConnection, pending: Pending): void {
    const reused = this.used.has(connection);
    this.used.add(connection);
    // A stream, not the buffer, so that a failure can tell whether any byte of the message left.
    const message = Readable.from([pending.raw], { objectMode: false });
    connection.send({ from: pending.from, to: pending.to }, message, (err, info) => {
      if (err) {
        const error = err as SendError;
        if (reused && !pending.retried && !message.readableDidRead && isTransient(error)) {
          // the peer dropped a connection that sat idle: nothing was sent, try a fresh one
          connection.close();
          pending.retried = true;
          this.queue.unshift(pending);
          this.pump();
          return;
        }
        if ((error.code === 'EENVELOPE' || error.code === 'EMESSAGE') && error.responseCode !== 421 && !connection.destroyed) {
          // the peer refused this message, not the session: reset it and keep the connection
          connection.reset((resetError) => (resetError ? connection.close() : this.release(connection)));
        } else {
          connection.close();
        }
        answerError(pending.id, error);
        return;
      }
      const answer: RelayHostInfo = {
        accepted: (info!.accepted as string[]) ?? [],
        rejected: (info!.rejected as string[]) ?? [],
        rejectedErrors: recipientErrors((info as { rejectedErrors?: unknown }).rejectedErrors),
      };
      port!.postMessage({ id: pending.id, ...answer });
      this.release(connection);
    });
  }
}

const hops = new Map<string, NextHop>();

port.on('message', (message: RelayWorkerRequest) => {
  if (message.type === 'close') {
    for (const hop of hops.values()) hop.close();
    port.close();
    return;
  }
  const key = `${message.target.host}:${message.target.port}`;
  let hop = hops.get(key);
  if (!hop) hops.set(key, (hop = new NextHop(message.target)));
  hop.send({ id: message.id, from: message.from, to: message.to, raw: asBuffer(message.raw), retried: false });
});
