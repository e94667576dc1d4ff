// POP3 face of the testbed (RFC 1939 + CAPA, STLS, AUTH PLAIN): what other modules may import.

export { startPop3Server } from './server.js';
export { MAX_LINE_BYTES, DEFAULT_IDLE_TIMEOUT_MS } from './limits.js';
export type {
  Pop3HookAction,
  Pop3HookResult,
  Pop3Hooks,
  Pop3Log,
  Pop3MessageInfo,
  Pop3SessionInfo,
  Pop3Server,
  Pop3ServerOptions,
} from './types.js';
