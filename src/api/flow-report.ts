// Everything that happened to one message, from the provider log and the mailboxes: each event
// with its virtual time and actor (accesso, ricezione, consegna, relay, timer), the stored message
// it produced, and the state of every recipient. Found by identificativo or by the client's
// Message-ID; a message refused at acceptance has no flow record, only log events.
import type { LogRecord, MessageHit, Store } from '../store/types.js';
import { bracketed } from '../testbed/messages.js';
import { notFound } from './errors.js';
import { summaryOf, type MessageSummary } from './message-view.js';

export interface FlowEvent {
  id: number;
  /** virtual time, ISO 8601 */
  at: string;
  gestore: string;
  actor: string;
  event: string;
  messageId: string | null;
  detail: Record<string, unknown>;
  /** the stored message this event produced, when one is in a mailbox */
  message: MessageSummary | null;
}

export interface FlowReport {
  identificativo: string;
  /** null when the message never got a flow (refused at acceptance) */
  accepted: boolean;
  gestore: string | null;
  sender: string | null;
  clientMessageId: string | null;
  subject: string | null;
  receiptType: string | null;
  createdAt: string | null;
  recipients: Array<{ address: string; type: string; header: string; state: string; updatedAt: string }>;
  events: FlowEvent[];
  messages: MessageSummary[];
}

/** the identificativo `key` names (itself, or the latest flow of that client Message-ID), or null */
export function resolveFlow(store: Store, key: string): string | null {
  const trimmed = key.trim();
  const bare = trimmed.replace(/^<|>$/g, '');
  if (store.getFlow(bare) || store.queryLog({ identificativo: bare, limit: 1 }).length > 0) return bare;
  const msgid = bracketed(trimmed);
  const flows = store.findFlows({ clientMessageId: msgid });
  if (flows.length > 0) return flows[flows.length - 1].identificativo;
  const logged = store.queryLog({ messageId: msgid }).filter((r) => r.identificativo);
  return logged.length > 0 ? logged[logged.length - 1].identificativo : null;
}

/** event names that are also the kind of the message they store, when the log names no Message-ID of it */
const EVENT_KIND: Record<string, string> = {
  accettazione: 'accettazione',
  'non-accettazione': 'non-accettazione',
  'non-accettazione-virus': 'non-accettazione-virus',
};

function linkMessage(record: LogRecord, messages: MessageHit[]): MessageHit | undefined {
  const kind = EVENT_KIND[record.event];
  if (kind) return messages.find((m) => m.kind === kind);
  if (!record.messageId) return undefined;
  const same = messages.filter((m) => m.messageId === record.messageId);
  // A receipt is stored at its addressee; the sender's copy is what a reader follows.
  const recipient = typeof record.detail.recipient === 'string' ? record.detail.recipient : null;
  return same.find((m) => m.address === recipient) ?? same[0];
}

export function flowReport(store: Store, key: string): FlowReport {
  const identificativo = resolveFlow(store, key);
  if (!identificativo) throw notFound(`no flow for ${key} (neither an identificativo nor a client Message-ID the testbed has seen)`);
  const flow = store.getFlow(identificativo);
  const log = store.queryLog({ identificativo });
  const received = log.find((r) => r.actor === 'accesso' && r.event === 'ricevuto');
  const clientMessageId = flow?.clientMessageId || received?.messageId || null;

  const byId = new Map<number, MessageHit>();
  for (const hit of store.findMessages({ identificativo })) byId.set(hit.id, hit);
  if (clientMessageId) {
    for (const hit of store.findMessages({ refMessageId: clientMessageId })) {
      if (hit.identificativo === null || hit.identificativo === identificativo) byId.set(hit.id, hit);
    }
  }
  const messages = [...byId.values()].sort((a, b) => a.id - b.id);
  const iso = (ms: number) => new Date(ms).toISOString();

  return {
    identificativo,
    accepted: flow !== undefined,
    gestore: flow?.gestore ?? received?.gestore ?? null,
    sender: flow?.sender ?? (typeof received?.detail.from === 'string' ? received.detail.from : null),
    clientMessageId,
    subject: flow?.subject ?? messages.find((m) => m.subject)?.subject ?? null,
    receiptType: flow?.receiptType ?? null,
    createdAt: flow ? iso(flow.createdAt) : received ? iso(received.at) : null,
    recipients: (flow?.recipients ?? []).map((r) => ({ address: r.address, type: r.type, header: r.header, state: r.state, updatedAt: iso(r.updatedAt) })),
    events: log.map((record) => {
      const message = linkMessage(record, messages);
      return {
        id: record.id,
        at: iso(record.at),
        gestore: record.gestore,
        actor: record.actor,
        event: record.event,
        messageId: record.messageId,
        detail: record.detail,
        message: message ? summaryOf(message) : null,
      };
    }),
    messages: messages.map(summaryOf),
  };
}
