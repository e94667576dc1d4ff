// Public shapes of the POP3 server: its options, the fault seam (hooks) and the handle returned
// by startPop3Server. Kept apart from the session code so faults/ and testbed/ can import the
// types without pulling in sockets.

import type { ListenerLog, MailboxListenerOptions } from '../listener/types.js';

/** What a hook sees about the session it is called for. */
export interface Pop3SessionInfo {
  /** unique per server process, for correlating log lines */
  id: string;
  remoteAddress: string;
  /** true once the connection is encrypted (implicit TLS or after STLS) */
  secure: boolean;
  /** login name as the client typed it; null before USER / AUTH */
  user: string | null;
  /** account address returned by `authenticate`; null before a successful login */
  address: string | null;
}

/** A message as a hook sees it. */
export interface Pop3MessageInfo {
  /** 1-based message number in this session */
  number: number;
  uid: number;
  /** the UIDL string clients keep */
  uidl: string;
  size: number;
}

/**
 * What a hook may do to the normal flow. Returning nothing (or undefined) lets it proceed.
 * - refuse: answer `-ERR [code] text` instead of doing the command (the session goes on)
 * - drop: close the connection without answering (as a crashed server would)
 * - delay: wait `ms` milliseconds, then proceed normally
 */
export type Pop3HookAction =
  | { action: 'refuse'; code?: string; text?: string }
  | { action: 'drop' }
  | { action: 'delay'; ms: number };

export type Pop3HookResult = Pop3HookAction | void | undefined;

/** The fault seam: named points of the POP3 flow where faults/ can bend it. */
export interface Pop3Hooks {
  /** after the credentials are accepted, before the maildrop is locked */
  onLogin?(session: Pop3SessionInfo): Pop3HookResult | Promise<Pop3HookResult>;
  /** before RETR sends a message (not called for TOP) */
  beforeRetr?(session: Pop3SessionInfo, message: Pop3MessageInfo): Pop3HookResult | Promise<Pop3HookResult>;
}

/** kept under its own name: pop3/index exports it */
export type Pop3Log = ListenerLog;

export interface Pop3ServerOptions extends MailboxListenerOptions<Pop3Hooks> {
  /** inactivity before the server closes the connection; default 10 minutes (RFC 1939 minimum) */
  idleTimeoutMs?: number;
  /** delay before answering the first failed login; doubles at each further failure; default 1000 */
  authFailureDelayMs?: number;
  /** failed logins after which the connection is closed; default 3 */
  maxAuthFailures?: number;
}

export interface Pop3Server {
  /** the bound port (the real one when 0 was asked) */
  port: number;
  /** stops listening and ends every session without entering UPDATE (nothing is deleted) */
  close(): Promise<void>;
}
