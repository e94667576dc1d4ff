// Flows: what the sending gestore knows of each accepted message, and the full journey of one
// message (events, produced messages, per-recipient state) by identificativo or client Message-ID.
import type { Testbed } from '../../testbed/testbed.js';
import { bracketed } from '../../testbed/messages.js';
import { flowReport } from '../flow-report.js';
import type { Routes } from '../route.js';
import { anyObject, email, errors } from '../shapes.js';

export function flowRoutes(routes: Routes, tb: Testbed): void {
  routes.add({
    method: 'get', path: '/flows', tag: 'flows', summary: 'accepted messages (flows), oldest first',
    query: {
      msgid: { type: 'string', maxLength: 998, description: "client Message-ID; brackets optional" },
      sender: email,
      gestore: { type: 'string', maxLength: 100 },
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    },
    responses: { 200: { description: 'flows', schema: { type: 'array', items: anyObject } }, ...errors(400) },
  }, ({ query }) =>
    tb.store
      .findFlows({
        clientMessageId: query.msgid === undefined ? undefined : bracketed(query.msgid),
        sender: query.sender?.toLowerCase(),
        gestore: query.gestore,
        limit: query.limit,
      })
      .map((f) => ({ ...f, createdAt: new Date(f.createdAt).toISOString(), recipients: f.recipients.map((r) => ({ ...r, updatedAt: new Date(r.updatedAt).toISOString() })) })));

  routes.add({
    method: 'get', path: '/flows/:key', tag: 'flows',
    summary: 'everything that happened to one message: events with virtual time and actor, the messages produced, per-recipient state',
    description: 'key: the identificativo, or the client Message-ID (brackets optional; the latest flow of that id).',
    params: { key: { type: 'string', minLength: 1, maxLength: 998 } },
    responses: { 200: { description: 'the flow', schema: anyObject }, ...errors(400, 404) },
  }, ({ params }) => flowReport(tb.store, params.key));
}
