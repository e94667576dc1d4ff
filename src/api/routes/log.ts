// The provider log (the gestori's evidence, pec-rules §1): query it, and export it as JSON, as
// NDJSON or as one readable line per event.
import type { LogRecord } from '../../store/types.js';
import type { Testbed } from '../../testbed/testbed.js';
import { bracketed, toTime } from '../../testbed/messages.js';
import type { Routes } from '../route.js';
import { anyObject, errors } from '../shapes.js';

export function logJson(record: LogRecord) {
  return { ...record, at: new Date(record.at).toISOString() };
}

/** `<ISO time> <gestore> <actor> <event> [identificativo] [detail as JSON]` */
export function logLine(record: LogRecord): string {
  const detail = Object.keys(record.detail).length > 0 ? ` ${JSON.stringify(record.detail)}` : '';
  return `${new Date(record.at).toISOString()} ${record.gestore} ${record.actor} ${record.event}${record.identificativo ? ` ${record.identificativo}` : ''}${detail}`;
}

export function logRoutes(routes: Routes, tb: Testbed): void {
  routes.add({
    method: 'get', path: '/log', tag: 'log', summary: 'query or export the provider log, oldest first',
    query: {
      gestore: { type: 'string', maxLength: 100 },
      actor: { type: 'string', maxLength: 64, description: 'accesso, ricezione, consegna, relay, timer, runner, ...' },
      event: { type: 'string', maxLength: 100 },
      identificativo: { type: 'string', maxLength: 998 },
      msgid: { type: 'string', maxLength: 998, description: 'Message-ID the event names (client or produced); brackets optional' },
      since: { type: 'string', format: 'date-time' },
      after: { type: 'integer', minimum: 0, description: 'only events with id > after' },
      limit: { type: 'integer', minimum: 1, maximum: 100_000, default: 1000 },
      format: { type: 'string', enum: ['json', 'ndjson', 'text'], default: 'json', description: 'text: one line per event' },
    },
    responses: {
      200: { description: 'events (JSON array; or NDJSON / text lines with format=)', schema: { type: 'array', items: anyObject } },
      ...errors(400),
    },
  }, ({ query }, _req, res) => {
    const records = tb.store.queryLog({
      gestore: query.gestore,
      actor: query.actor,
      event: query.event,
      identificativo: query.identificativo,
      messageId: query.msgid === undefined ? undefined : bracketed(query.msgid),
      since: query.since === undefined ? undefined : toTime(query.since),
      afterId: query.after,
      limit: query.limit,
    });
    if (query.format === 'json') return records.map(logJson);
    const body = records.map((r) => `${query.format === 'ndjson' ? JSON.stringify(logJson(r)) : logLine(r)}\n`).join('');
    res.type(query.format === 'ndjson' ? 'application/x-ndjson' : 'text/plain; charset=utf-8');
    res.setHeader('Content-Disposition', `inline; filename="pec-testbed-log.${query.format === 'ndjson' ? 'ndjson' : 'txt'}"`);
    res.send(body);
    return undefined;
  });
}
