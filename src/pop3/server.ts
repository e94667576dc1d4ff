// The POP3 listener: binds the port (plain with optional STLS, or implicit TLS for POP3S),
// hands each connection to a Pop3Session, and on close() ends every session without UPDATE.

import type net from 'node:net';
import { createSocketServer, listen, secureContextFor } from '../listener/socket-server.js';
import {
  DEFAULT_AUTH_FAILURE_DELAY_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_AUTH_FAILURES,
} from './limits.js';
import { Pop3Session, type SessionSettings } from './session.js';
import type { Pop3Server, Pop3ServerOptions } from './types.js';

let nextSessionId = 1;

export async function startPop3Server(options: Pop3ServerOptions): Promise<Pop3Server> {
  const secureContext = secureContextFor('pop3', options);
  const log = options.log ?? (() => {});
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

  const server = createSocketServer('pop3', options, accept, (err, socket) => {
    log('tls-error', { remote: socket.remoteAddress, error: err.message });
  });

  const port = await listen(server, options.port, options.host);
  server.on('error', (err) => log('server-error', { error: err.message }));
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
