// The provider log: what each gestore did and why, in order. It is the trainer's timeline and
// the CI's evidence; ids only grow (also across reset) so a reader can stream with `afterId`.

import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import type { LogEntry, LogQuery, LogRecord } from './types.js';

interface LogRow {
  id: number;
  at: number;
  gestore: string;
  actor: string;
  event: string;
  identificativo: string | null;
  message_id: string | null;
  detail: string;
}

function toRecord(row: LogRow): LogRecord {
  return {
    id: row.id,
    at: row.at,
    gestore: row.gestore,
    actor: row.actor,
    event: row.event,
    identificativo: row.identificativo,
    messageId: row.message_id,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  };
}

function checkString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new StoreError('INVALID', `log ${what} must be a string`);
  return value;
}

function optionalString(value: unknown, what: string): string | null {
  return value === undefined || value === null ? null : checkString(value, what);
}

export class Log {
  constructor(private readonly ctx: StoreContext) {}

  append(entry: LogEntry): LogRecord {
    if (!Number.isSafeInteger(entry.at)) throw new StoreError('INVALID', 'log at must be an integer');
    const detail = entry.detail ?? {};
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      throw new StoreError('INVALID', 'log detail must be an object');
    }
    let detailJson: string;
    try {
      detailJson = JSON.stringify(detail);
    } catch (err) {
      throw new StoreError('INVALID', `log detail is not JSON-serializable: ${(err as Error).message}`);
    }
    const row = {
      at: entry.at,
      gestore: checkString(entry.gestore, 'gestore'),
      actor: checkString(entry.actor, 'actor'),
      event: checkString(entry.event, 'event'),
      identificativo: optionalString(entry.identificativo, 'identificativo'),
      message_id: optionalString(entry.messageId, 'messageId'),
    };
    const info = this.ctx
      .stmt(
        `INSERT INTO log (at, gestore, actor, event, identificativo, message_id, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(row.at, row.gestore, row.actor, row.event, row.identificativo, row.message_id, detailJson);
    // the record carries the detail as stored, so listeners see what queryLog will return
    const record = toRecord({ id: Number(info.lastInsertRowid), ...row, detail: detailJson });
    // a single statement commits by itself outside a transaction; emit() then delivers at once
    this.ctx.emit({ kind: 'log', record });
    return record;
  }

  query(query: LogQuery): LogRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    const eq = (column: string, value: string | undefined): void => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      params.push(value);
    };
    eq('gestore', query.gestore);
    eq('actor', query.actor);
    eq('event', query.event);
    eq('identificativo', query.identificativo);
    eq('message_id', query.messageId);
    if (query.since !== undefined) {
      where.push('at >= ?');
      params.push(query.since);
    }
    if (query.afterId !== undefined) {
      where.push('id > ?');
      params.push(query.afterId);
    }
    const limit = query.limit;
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) throw new StoreError('INVALID', 'limit must be a non-negative integer');
    params.push(limit ?? -1);
    const sql = `SELECT * FROM log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`;
    return this.ctx.stmt<LogRow>(sql).all(...params).map(toRecord);
  }
}
