// One SMTP listener on smtp-server: sockets, TLS, AUTH and size limits in, plain callbacks out.
// The punto di accesso and the punto di ricezione are both built on it; neither sees the
// protocol, and every rejection carries its SMTP code from here.
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { Writable } from 'node:stream';
import { listen } from '../listener/socket-server.js';
import type { Authenticate, ListenerLog, TlsPem } from '../listener/types.js';

export class SmtpError extends Error {
  constructor(readonly responseCode: number, message: string) {
    super(message);
  }
}

export interface Envelope {
  mailFrom: string;
  rcptTo: string[];
  /** authenticated account address, when the session authenticated */
  user: string | null;
  remoteAddress: string;
  secure: boolean;
}

/** the moments of an SMTP session where a fault can step in */
export type SmtpPhase = 'connect' | 'mail' | 'rcpt' | 'data';

/**
 * What a phase hook may ask for: wait `delayMs` real ms (a slow link), then answer with `reply`
 * instead of going on, or `drop` the connection without a word (a crash, a cut cable).
 */
export interface SmtpPhaseAction {
  delayMs?: number;
  reply?: { code: number; message: string };
  drop?: boolean;
}

export type SmtpPhaseHook = (
  phase: SmtpPhase,
  info: { envelope: Envelope; address?: string },
) => SmtpPhaseAction | void | Promise<SmtpPhaseAction | void>;

export interface SmtpListenerOptions {
  /** host name in the banner and EHLO */
  name: string;
  host: string;
  port: number;
  /** implicit TLS (submissions on 2465); otherwise STARTTLS is offered */
  secure: boolean;
  tls: TlsPem;
  /** AUTH required before MAIL FROM (submission) */
  requireAuth: boolean;
  /** allow AUTH before STARTTLS (off by default: the rules want authentication over TLS) */
  allowInsecureAuth?: boolean;
  authenticate?: Authenticate;
  /** SIZE advertised and enforced: above it the message is refused with 552 */
  maxMessageBytes: number;
  maxRecipients?: number;
  onMailFrom?: (address: string, envelope: Envelope) => void;
  onRcptTo?: (address: string, envelope: Envelope) => void;
  /** resolves with the text of the 250 reply once the message and its work are committed */
  onMessage: (raw: Buffer, envelope: Envelope) => Promise<string>;
  /** the fault seam: asked at every phase before the listener's own callbacks */
  onPhase?: SmtpPhaseHook;
  log?: ListenerLog;
}

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

function envelopeOf(session: SMTPServerSession): Envelope {
  const from = session.envelope.mailFrom;
  return {
    mailFrom: from ? from.address.toLowerCase() : '',
    rcptTo: session.envelope.rcptTo.map((r: SMTPServerAddress) => r.address.toLowerCase()),
    user: typeof session.user === 'string' ? session.user : null,
    remoteAddress: session.remoteAddress,
    secure: session.secure,
  };
}

function asCallbackError(error: unknown): Error & { responseCode?: number } {
  if (error instanceof SmtpError) {
    const out: Error & { responseCode?: number } = new Error(error.message);
    out.responseCode = error.responseCode;
    return out;
  }
  // An unexpected failure must not look like a permanent refusal: the client should retry.
  const out: Error & { responseCode?: number } = new Error('4.3.0 Temporary failure, try again later');
  out.responseCode = 451;
  return out;
}

/** a dropped connection: nothing is answered, the socket is destroyed */
class Dropped extends Error {}

export async function startSmtpListener(options: SmtpListenerOptions): Promise<SmtpListener> {
  const log = options.log ?? (() => {});
  // Runs the phase hook: resolves to go on, rejects with an SmtpError (reply) or Dropped.
  const phase = async (name: SmtpPhase, session: SMTPServerSession, address?: string): Promise<void> => {
    if (!options.onPhase) return;
    const action = await options.onPhase(name, { envelope: envelopeOf(session), address });
    if (!action) return;
    if (action.delayMs) await new Promise((resolve) => setTimeout(resolve, action.delayMs));
    if (action.drop) throw new Dropped();
    if (action.reply) throw new SmtpError(action.reply.code, action.reply.message);
  };
  const drop = (session: SMTPServerSession): void => {
    // smtp-server keeps its connections in a set; the session id names the connection.
    const connections = (server as unknown as { connections: Set<{ id: string; _socket?: { destroy(): void } }> }).connections;
    for (const connection of connections) if (connection.id === session.id) connection._socket?.destroy();
  };
  const answer = (session: SMTPServerSession, callback: (err?: Error | null) => void) => (error: unknown) => {
    if (error instanceof Dropped) return drop(session);
    callback(asCallbackError(error));
  };
  const server = new SMTPServer({
    name: options.name,
    // smtp-server writes `220 <name> ESMTP` itself and appends the banner
    banner: 'pec-testbed',
    secure: options.secure,
    key: options.tls.key,
    cert: options.tls.cert,
    authOptional: !options.requireAuth,
    authMethods: ['PLAIN', 'LOGIN'],
    disabledCommands: options.requireAuth ? [] : ['AUTH'],
    allowInsecureAuth: options.allowInsecureAuth ?? false,
    size: options.maxMessageBytes,
    maxRecipients: options.maxRecipients ?? 500,
    disableReverseLookup: true,
    logger: false,
    socketTimeout: 120_000,
    // stop() should not wait 30 s for idle clients to say QUIT
    closeTimeout: 1_000,
    onConnect(session, callback) {
      phase('connect', session).then(() => callback(), answer(session, callback));
    },
    onAuth(auth, session, callback) {
      const authenticate = options.authenticate;
      if (!authenticate) return callback(new Error('Authentication not available'));
      // RFC 4616: an authorization identity other than the login asks to act as another user,
      // which no mailbox here may do. smtp-server takes a lone authzid as the login (clients
      // that send only that), so only a different one is refused.
      const authzid = auth.authzid;
      if (authzid && authzid.toLowerCase() !== (auth.username ?? '').toLowerCase()) {
        log('auth-failed', { user: auth.username, authzid, remote: session.remoteAddress });
        return callback(Object.assign(new Error('5.7.8 Authentication credentials invalid: cannot act as another user'), { responseCode: 535 }));
      }
      authenticate(auth.username ?? '', auth.password ?? '').then(
        (user) => {
          if (!user) {
            log('auth-failed', { user: auth.username, remote: session.remoteAddress });
            const err: Error & { responseCode?: number } = new Error('5.7.8 Authentication credentials invalid');
            err.responseCode = 535;
            return callback(err);
          }
          callback(null, { user });
        },
        (error) => callback(asCallbackError(error)),
      );
    },
    onMailFrom(address, session, callback) {
      const mailFrom = address.address.toLowerCase();
      phase('mail', session, mailFrom).then(() => {
        const size = Number((address.args as Record<string, string> | false || {})['SIZE'] ?? 0);
        if (size > options.maxMessageBytes) {
          throw new SmtpError(552, `5.3.4 Message size exceeds fixed maximum message size (${options.maxMessageBytes})`);
        }
        options.onMailFrom?.(mailFrom, envelopeOf(session));
        callback();
      }).catch(answer(session, callback));
    },
    onRcptTo(address, session, callback) {
      const rcptTo = address.address.toLowerCase();
      phase('rcpt', session, rcptTo).then(() => {
        options.onRcptTo?.(rcptTo, envelopeOf(session));
        callback();
      }).catch(answer(session, callback));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let length = 0;
      stream.pipe(
        new Writable({
          write(chunk: Buffer, _enc, done) {
            // Keep counting but stop buffering once over the cap: smtp-server reports it below.
            length += chunk.length;
            if (length <= options.maxMessageBytes) chunks.push(chunk);
            done();
          },
        }),
      );
      stream.once('error', (error) => callback(asCallbackError(error)));
      stream.once('end', () => {
        if (stream.sizeExceeded) {
          return callback(asCallbackError(new SmtpError(552, `5.3.4 Message size exceeds fixed maximum message size (${options.maxMessageBytes})`)));
        }
        const raw = Buffer.concat(chunks, length);
        phase('data', session).then(() => options.onMessage(raw, envelopeOf(session))).then(
          (reply) => callback(null, reply),
          (error) => {
            if (error instanceof Dropped) return drop(session);
            if (!(error instanceof SmtpError)) log('smtp-data-error', { error: String(error?.stack ?? error) });
            callback(asCallbackError(error));
          },
        );
      });
    },
  });
  server.on('error', (error) => log('smtp-error', { error: String(error) }));
  const port = await listen(server.server, options.port, options.host);
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
