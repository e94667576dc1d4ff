// Defaults and limits of the POP3 server in one place, so the numbers a client may hit
// (line length, timeouts, login throttling) are easy to find and to document.

/** Longest accepted command line, CRLF excluded. RFC 2449 says 255, but AUTH PLAIN initial
 * responses with long passwords exceed that; 8 KB keeps memory bounded per connection. */
export const MAX_LINE_BYTES = 8192;

/** RFC 1939 §3: the autologout timer must be at least 10 minutes. */
export const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60 * 1000;

export const DEFAULT_AUTH_FAILURE_DELAY_MS = 1000;
export const DEFAULT_MAX_AUTH_FAILURES = 3;

/** Pipelined commands waiting to be answered before we stop reading from the socket. */
export const MAX_QUEUED_COMMANDS = 64;

/** Delay before answering the n-th (1-based) consecutive failed login: base, 2·base, 4·base... */
export function authFailureDelay(baseMs: number, failures: number): number {
  return baseMs * 2 ** Math.max(0, failures - 1);
}
