// The public shape of the IMAP server: start options, limits, and the small fault seam (hooks)
// that scenario faults will plug into later.

import type { MailboxListenerOptions } from '../listener/types.js';

export interface ImapHookContext {
  sessionId: number;
  remoteAddress: string | undefined;
  /** account address once logged in */
  address: string | null;
}

/**
 * What a hook may ask for: nothing (carry on), `drop` (close the socket without answering, as a
 * crashing server would) or `refuse` (answer NO with the given text).
 */
export type ImapHookResult = void | undefined | { action: 'drop' } | { action: 'refuse'; text?: string };

/**
 * FETCH may also ask for `drop-mid-literal`: the first message's response is written up to half of
 * its first literal (`{N}` announced, fewer bytes sent), then the socket is destroyed. That is the
 * failure a client's literal reader must survive; `drop` never gets that far. Flags stay as they
 * were: the client is expected to fetch again.
 */
export type ImapFetchHookResult = ImapHookResult | { action: 'drop-mid-literal' };

export interface ImapHooks {
  /** after the credentials were accepted, before the session becomes authenticated */
  onLogin?(ctx: ImapHookContext & { user: string; address: string }): ImapHookResult | Promise<ImapHookResult>;
  /** before a FETCH / UID FETCH answers */
  beforeFetch?(ctx: ImapHookContext & { mailbox: string; uids: number[] }): ImapFetchHookResult | Promise<ImapFetchHookResult>;
}

export interface ImapLimits {
  /** largest APPEND message literal, bytes (default 50 MiB; advertised as APPENDLIMIT) */
  maxAppendBytes: number;
  /** largest literal in any other command, bytes (default 64 KiB) */
  maxLiteralBytes: number;
  /** longest command line without its literals (default 64 KiB) */
  maxLineBytes: number;
  /** idle time before autologout, ms (default 30 min, RFC 3501 §5.4) */
  autologoutMs: number;
  /** delay after the first failed login, doubled for each further failure (default 1000 ms) */
  loginFailureDelayMs: number;
  /** failed logins after which the connection is closed with BYE (default 5) */
  maxLoginFailures: number;
}

export interface ImapServerOptions extends MailboxListenerOptions<ImapHooks> {
  /** source of INTERNALDATE for APPEND */
  clock: { now(): number };
  limits?: Partial<ImapLimits>;
}

export interface ImapServer {
  port: number;
  /** stops listening and ends every session with BYE */
  close(): Promise<void>;
}

export const DEFAULT_LIMITS: ImapLimits = {
  maxAppendBytes: 50 * 1024 * 1024,
  maxLiteralBytes: 64 * 1024,
  maxLineBytes: 64 * 1024,
  autologoutMs: 30 * 60 * 1000,
  loginFailureDelayMs: 1000,
  maxLoginFailures: 5,
};
