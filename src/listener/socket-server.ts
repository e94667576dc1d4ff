// The socket layer under the mail listeners: the TLS set-up and the plain-or-implicit-TLS server
// of IMAP and POP3, and the bind step every listener (SMTP too) starts with. The protocol and
// its logging stay with each server; this module only reports.

import net from 'node:net';
import tls from 'node:tls';
import type { TlsPem } from './types.js';

/** the TLS part of the listener options (see MailboxListenerOptions) */
export interface ListenerTls {
  tls?: TlsPem;
  implicitTls?: boolean;
}

/** the identity implicit TLS serves with; null when connections start plain */
function implicitPem(protocol: string, options: ListenerTls): TlsPem | null {
  if (!options.implicitTls) return null;
  if (!options.tls) throw new Error(`${protocol}: implicitTls needs tls.key and tls.cert`);
  return options.tls;
}

/**
 * Refuses implicit TLS without a key and certificate, and builds the context a plain connection
 * upgrades with (STARTTLS, STLS). Call it before starting anything, so a bad configuration
 * leaves nothing behind.
 */
export function secureContextFor(protocol: string, options: ListenerTls): tls.SecureContext | undefined {
  implicitPem(protocol, options);
  return options.tls ? tls.createSecureContext({ key: options.tls.key, cert: options.tls.cert }) : undefined;
}

/**
 * A server that hands each connection to `accept`, with `secure` true when TLS started with the
 * first byte. Failed handshakes go to `onTlsError` instead of taking the listener down.
 */
export function createSocketServer(
  protocol: string,
  options: ListenerTls,
  accept: (socket: net.Socket, secure: boolean) => void,
  onTlsError: (error: Error, socket: tls.TLSSocket) => void,
): net.Server {
  const pem = implicitPem(protocol, options);
  if (!pem) return net.createServer((socket) => accept(socket, false));
  const server = tls.createServer({ key: pem.key, cert: pem.cert }, (socket) => accept(socket, true));
  server.on('tlsClientError', onTlsError);
  return server;
}

/**
 * Binds `server` and resolves to the bound port (the real one when `port` is 0). A bind error
 * (port in use, address not available) rejects, so the listener fails to start rather than
 * stay silently deaf. Loopback unless a host is given: a test provider is not exposed by accident.
 */
export async function listen(server: net.Server, port: number, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as net.AddressInfo).port;
}
