// The POP3 listener: binds the port (plain with optional STLS, or implicit TLS for POP3S),
// hands each connection to a Pop3Session, and on close() ends every session without UPDATE.

import net from 'node:net';
import tls from 'node:tls';
import {
  DEFAULT_AUTH_FAILURE_DELAY_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_AUTH_FAILURES,
} from './limits.js';
import { Pop3Session, type SessionSettings } from './session.js';
import type { Pop3Server, Pop3ServerOptions } from './types.js';

let nextSessionId = 1;

export async function startPop3Server(options: Pop3ServerOptions): Promise<Pop3Server> {
  if (options.implicitTls && !options.tls) throw new Error('pop3: implicitTls needs tls.key and tls.cert');
  const log = options.log ?? (() => {});
  const secureContext = options.tls ? tls.createSecureContext({ key: options.tls.key, cert: options.tls.cert }) : undefined;
  const settings: SessionSettings = {
    store: options.store,
    authenticate: options.authenticate,
    log,
    hooks: options.hooks ?? {},
    // implicit TLS sessions are already secure: STLS is never offered there
    secureContext,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    authFailureDelayMs: options.authFailureDelayMs ?? DEFAULT_AUTH_FAILURE_DELAY_MS,
    maxAuthFailures: options.maxAuthFailures ?? DEFAULT_MAX_AUTH_FAILURES,
  };

  const sessions = new Set<Pop3Session>();
  const accept = (socket: net.Socket, secure: boolean): void => {
    socket.setNoDelay(true);
    const session = new Pop3Session(socket, secure, `pop3-${nextSessionId++}`, settings);
    sessions.add(session);
    void session.closed.then(() => sessions.delete(session));
  };

  const server: net.Server = options.implicitTls
    ? tls.createServer({ key: options.tls!.key, cert: options.tls!.cert }, (s) => accept(s, true))
    : net.createServer((s) => accept(s, false));
  server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
    log('tls-error', { remote: socket.remoteAddress, error: err.message });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log('server-error', { error: err.message }));
  const port = (server.address() as net.AddressInfo).port;
  log('listening', { host: options.host ?? '127.0.0.1', port, implicitTls: !!options.implicitTls, stls: !!secureContext && !options.implicitTls });

  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sessions) s.shutdown();
      }).then(async () => {
        await Promise.all([...sessions].map((s) => s.closed));
      });
      return closing;
    },
  };
}
