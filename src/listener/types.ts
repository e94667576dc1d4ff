// Options every mail listener is started with, defined once so the IMAP and POP3 servers (and the
// testbed that starts both from one set of values) cannot drift apart; the SMTP listener shares its
// TLS, log and authentication types. It sits below the protocol servers and knows none of them: a
// server may import it without depending on another server.

import type { Store } from '../store/types.js';

/** a TLS identity as PEM text */
export interface TlsPem {
  key: string;
  cert: string;
}

export type ListenerLog = (event: string, detail: Record<string, unknown>) => void;

/** resolves to the account address for valid credentials, null otherwise */
export type Authenticate = (user: string, password: string) => Promise<string | null>;

/** A listener that serves the store's mailboxes to their owners (IMAP, POP3). */
export interface MailboxListenerOptions<Hooks> {
  store: Store;
  /** default 127.0.0.1 */
  host?: string;
  /** 0 = ephemeral */
  port: number;
  /** enables STARTTLS (POP3: STLS) on a plain port; required by `implicitTls` */
  tls?: TlsPem;
  /** TLS from the first byte (IMAPS, POP3S) instead of STARTTLS */
  implicitTls?: boolean;
  authenticate: Authenticate;
  log?: ListenerLog;
  /** the fault seam: named points of the protocol flow where faults/ can bend it */
  hooks?: Hooks;
}
