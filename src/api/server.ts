// The HTTP listener of a testbed: the API and the UI on one port. Long-polls and event streams
// are open connections, so stopping destroys every socket instead of waiting for them to end.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Testbed } from '../testbed/testbed.js';
import { createApp } from './app.js';
import { resolveToken } from './auth.js';

export interface HttpServerOptions {
  host: string;
  port: number;
  /** required by every request but the health probes; generated when bound beyond loopback */
  token?: string;
}

export interface HttpServer {
  port: number;
  /** the token in force, null when none is required */
  token: string | null;
  close(): Promise<void>;
}

export async function startHttpServer(tb: Testbed, options: HttpServerOptions): Promise<HttpServer> {
  const token = resolveToken(options.host, options.token);
  const readiness = { ready: false };
  const { app } = createApp(tb, { token, readiness });
  const server: Server = createServer(app);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  readiness.ready = true;
  return {
    port: (server.address() as AddressInfo).port,
    token,
    close() {
      readiness.ready = false;
      return new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
