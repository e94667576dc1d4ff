// Putting a message into a user's mailbox (the last step of every delivery) and deciding whether
// a mailbox can take it: unknown (no-dest), disabled or over quota (altro).
import { decodeWords } from '../pec/mime-headers.js';
import { readHeaders } from '../pec/mime-split.js';
import { indexKindFromMarkers } from '../pec/parse-kind.js';
import type { MessageMeta, MessageRecord } from '../store/types.js';
import type { EngineContext } from './context.js';

/** Indexed facts of a message for the API's filters; reading headers only, never failing. */
export function metaOf(raw: Buffer): MessageMeta {
  const headers = readHeaders(raw);
  const kind = indexKindFromMarkers(headers);
  const messageId = headers.get('message-id')?.trim() ?? null;
  return {
    kind,
    refMessageId: headers.get('x-riferimento-message-id')?.trim() ?? null,
    // The busta's Message-ID is the identificativo; receipts carry it only in daticert.
    identificativo: kind === 'posta-certificata' && messageId ? messageId.replace(/^<|>$/g, '') : null,
    messageId,
    subject: headers.has('subject') ? decodeWords(headers.get('subject') ?? '') : null,
    from: headers.get('from') ?? null,
  };
}

export function deliverToMailbox(
  ctx: EngineContext,
  address: string,
  raw: Buffer,
  extraMeta: Partial<MessageMeta> = {},
  folderName = 'INBOX',
): MessageRecord {
  const folder = ctx.store.getFolder(address, folderName);
  if (!folder) throw new Error(`mailbox ${address} has no folder ${folderName}`);
  return ctx.store.appendMessage(folder.id, raw, {
    internalDate: ctx.clock.now(),
    meta: { ...metaOf(raw), ...extraMeta },
  });
}

export type MailboxProblem = 'no-dest' | 'altro' | null;

/** Can `address` of gestore `gestoreId` take `size` more bytes? */
export function mailboxProblem(ctx: EngineContext, address: string, size: number, gestoreId: string): MailboxProblem {
  const account = ctx.store.getAccount(address);
  if (!account || account.gestore !== gestoreId) return 'no-dest';
  if (!account.enabled) return 'altro';
  if (account.quotaBytes !== null && ctx.store.usedBytes(address) + size > account.quotaBytes) return 'altro';
  return null;
}
