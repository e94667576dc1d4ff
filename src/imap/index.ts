// Public entry of the IMAP4rev1 server (issue "Mailbox access"): start it over a Store.

export { startImapServer } from './server.js';
export { DEFAULT_LIMITS } from './types.js';
export type { ImapFetchHookResult, ImapHookContext, ImapHookResult, ImapHooks, ImapLimits, ImapServer, ImapServerOptions } from './types.js';
