// The listener: accepts connections (plain with STARTTLS, or implicit TLS), runs one Session
// each, and fans store change notifications out to the sessions of the account they concern.

import type net from 'node:net';
import { createSocketServer, listen, secureContextFor } from '../listener/socket-server.js';
import { appendCommands } from './commands/append.js';
import { connectionCommands } from './commands/connection.js';
import { fetchCommands } from './commands/fetch.js';
import { mailboxCommands } from './commands/mailboxes.js';
import { searchCommands } from './commands/search.js';
import { selectedCommands } from './commands/selected.js';
import { RecentTracker } from './recent.js';
import { Session, type CommandSpec, type ServerContext } from './session.js';
import { DEFAULT_LIMITS, type ImapServer, type ImapServerOptions } from './types.js';

const COMMANDS = new Map<string, CommandSpec>(
  Object.entries({
    ...connectionCommands,
    ...mailboxCommands,
    ...appendCommands,
    ...selectedCommands,
    ...fetchCommands,
    ...searchCommands,
  }),
);

export async function startImapServer(options: ImapServerOptions): Promise<ImapServer> {
  const secureContext = secureContextFor('imap', options) ?? null;
  const sessions = new Set<Session>();
  const byAddress = new Map<string, Set<Session>>();
  const recent = new RecentTracker();
  const log = options.log ?? (() => {});

  const ctx: ServerContext = {
    store: options.store,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    clock: options.clock,
    authenticate: options.authenticate,
    log,
    hooks: options.hooks ?? {},
    secureContext,
    recent,
    commands: COMMANDS,
    bindAddress(session, address) {
      let set = byAddress.get(address);
      if (!set) byAddress.set(address, (set = new Set()));
      set.add(session);
    },
    unregister(session) {
      sessions.delete(session);
      if (session.address) byAddress.get(session.address)?.delete(session);
    },
  };

  const unsubscribe = options.store.onChange((address, change) => {
    if (change.type === 'exists') recent.noteArrival(change.folderId, change.uid);
    if (change.type === 'uidvalidity') recent.reset(change.folderId);
    const targets = byAddress.get(address);
    if (!targets) return;
    for (const session of [...targets]) session.onStoreChange(change);
  });

  const accept = (socket: net.Socket, secure: boolean): void => {
    socket.setNoDelay(true);
    const session = new Session(ctx, socket, secure);
    sessions.add(session);
    void session.run();
  };

  const server = createSocketServer('imap', options, accept, (err) => log('imap.tls-error', { error: err.message }));
  server.on('error', (err) => log('imap.listener-error', { error: err.message }));

  const port = await listen(server, options.port, options.host);
  log('imap.listening', { host: options.host ?? '127.0.0.1', port, implicitTls: !!options.implicitTls, starttls: !!secureContext && !options.implicitTls });

  let closing: Promise<void> | null = null;
  return {
    port,
    close() {
      closing ??= (async () => {
        unsubscribe();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        const waits = [...sessions].map((session) => {
          session.bye('Server shutting down');
          return session.whenClosed();
        });
        await Promise.all([closed, ...waits]);
      })();
      return closing;
    },
  };
}
