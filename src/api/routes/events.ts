// Live events: every provider log event as Server-Sent Events, optionally of one message only.
// Reconnecting clients (EventSource sends Last-Event-ID) get what they missed from the log first.
import type { Testbed } from '../../testbed/testbed.js';
import type { Routes } from '../route.js';
import { errors } from '../shapes.js';
import { logJson } from './log.js';

const KEEP_ALIVE_MS = 15_000;

export function eventRoutes(routes: Routes, tb: Testbed): void {
  routes.add({
    method: 'get', path: '/events', tag: 'events',
    summary: 'Server-Sent Events: one `log` event per provider log record (id = log id), as they are committed',
    query: {
      identificativo: { type: 'string', maxLength: 998, description: 'only the events of this message' },
      after: { type: 'integer', minimum: 0, description: 'first replay the logged events with id > after (also: Last-Event-ID header)' },
    },
    responses: { 200: { description: 'the event stream', contentType: 'text/event-stream' }, ...errors(400) },
  }, ({ query }, req, res) => {
    const lastEventId = Number(req.headers['last-event-id']);
    const after: number | undefined = query.after ?? (Number.isSafeInteger(lastEventId) && lastEventId >= 0 ? lastEventId : undefined);
    const identificativo: string | undefined = query.identificativo;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n: pec-testbed provider log\n\n');
    const send = (record: Parameters<Parameters<typeof tb.store.onLog>[0]>[0]) => {
      if (identificativo !== undefined && record.identificativo !== identificativo) return;
      res.write(`id: ${record.id}\nevent: log\ndata: ${JSON.stringify(logJson(record))}\n\n`);
    };
    // Replay and subscription happen in one synchronous step: nothing committed in between is lost.
    if (after !== undefined) for (const record of tb.store.queryLog({ afterId: after, identificativo })) send(record);
    const unsubscribe = tb.store.onLog(send);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    keepAlive.unref();
    res.on('close', () => {
      unsubscribe();
      clearInterval(keepAlive);
    });
    return undefined;
  });
}
