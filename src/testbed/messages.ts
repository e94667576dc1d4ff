// Finding messages in a testbed's mailboxes the way a test thinks of them: by mailbox, PEC kind,
// the client's Message-ID (X-Riferimento-Message-ID), identificativo, subject, time. One filter
// shape serves `tb.messages()`, `tb.waitFor()` and the HTTP API, so they cannot drift apart.
import { parsePec, type ParsedPec } from '../pec/parse.js';
import type { MessageHit, MessageQuery, Store } from '../store/types.js';

export interface MessageFilter {
  /** mailbox address (any case) */
  mailbox?: string;
  /** folder name, e.g. INBOX */
  folder?: string;
  /** kind as indexed at delivery: accettazione, posta-certificata, avvenuta-consegna, errore-consegna, anomalia ... */
  kind?: string;
  /** the client's Message-ID as echoed in X-Riferimento-Message-ID; angle brackets optional */
  msgid?: string;
  identificativo?: string;
  /** case-insensitive substring of the subject */
  subject?: string;
  /** only messages stored at or after this (virtual) time: ms, ISO string or Date */
  since?: number | string | Date;
  limit?: number;
  offset?: number;
}

/** A stored message, with its bytes and its PEC reading one call away. */
export interface TestbedMessage extends MessageHit {
  raw(): Buffer;
  parse(): ParsedPec;
}

/** `x@y` and `<x@y>` name the same Message-ID; the store keeps the bracketed form. */
export function bracketed(messageId: string): string {
  const trimmed = messageId.trim();
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}

export function toTime(value: number | string | Date, field = 'since'): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`${field} is not a time: ${String(value)}`);
  return ms;
}

export function toStoreQuery(filter: MessageFilter): MessageQuery {
  const query: MessageQuery = {};
  if (filter.mailbox !== undefined) query.address = filter.mailbox.trim().toLowerCase();
  if (filter.folder !== undefined) query.folder = filter.folder;
  if (filter.kind !== undefined) query.kind = filter.kind;
  if (filter.msgid !== undefined) query.refMessageId = bracketed(filter.msgid);
  if (filter.identificativo !== undefined) query.identificativo = filter.identificativo.trim().replace(/^<|>$/g, '');
  if (filter.subject !== undefined) query.subject = filter.subject;
  if (filter.since !== undefined) query.since = toTime(filter.since);
  if (filter.limit !== undefined) query.limit = filter.limit;
  if (filter.offset !== undefined) query.offset = filter.offset;
  return query;
}

export function withContent(store: Store, hit: MessageHit): TestbedMessage {
  let parsed: ParsedPec | undefined;
  return Object.assign(hit, {
    raw: () => store.getRaw(hit.id),
    parse: () => (parsed ??= parsePec(store.getRaw(hit.id))),
  });
}

export function findMessages(store: Store, filter: MessageFilter = {}): TestbedMessage[] {
  return store.findMessages(toStoreQuery(filter)).map((hit) => withContent(store, hit));
}
