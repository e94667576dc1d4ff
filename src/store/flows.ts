// Flows: what the sending gestore remembers about each message it accepted (the identificativo,
// the client's Message-ID, the receipt flavour) and where each recipient stands, so receipts and
// the 12/24 h timers can be matched to it and the API can show a message's journey.

import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import type { Flow, FlowRecipient, ReceiptFlavour, RecipientState } from './types.js';

interface FlowRow {
  identificativo: string;
  gestore: string;
  sender: string;
  client_message_id: string;
  subject: string;
  receipt_type: string;
  created_at: number;
}

interface RecipientRow {
  flow: string;
  address: string;
  type: string;
  header: string;
  state: string;
  updated_at: number;
}

const STATES: readonly RecipientState[] = ['pending', 'taken', 'delivered', 'failed', 'preavviso', 'expired', 'external'];
const FLAVOURS: readonly ReceiptFlavour[] = ['completa', 'breve', 'sintetica'];

function toRecipient(row: RecipientRow): FlowRecipient {
  return {
    address: row.address,
    type: row.type as FlowRecipient['type'],
    header: row.header as FlowRecipient['header'],
    state: row.state as RecipientState,
    updatedAt: row.updated_at,
  };
}

function checkString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new StoreError('INVALID', `${what} must be a string`);
  return value;
}

function checkFlow(flow: Flow): void {
  if (checkString(flow.identificativo, 'identificativo').length === 0) throw new StoreError('INVALID', 'empty identificativo');
  checkString(flow.gestore, 'gestore');
  checkString(flow.sender, 'sender');
  checkString(flow.clientMessageId, 'clientMessageId');
  checkString(flow.subject, 'subject');
  if (!FLAVOURS.includes(flow.receiptType)) throw new StoreError('INVALID', `unknown receiptType ${String(flow.receiptType)}`);
  if (!Number.isSafeInteger(flow.createdAt)) throw new StoreError('INVALID', 'createdAt must be an integer');
  if (!Array.isArray(flow.recipients)) throw new StoreError('INVALID', 'recipients must be an array');
  for (const r of flow.recipients) {
    checkString(r.address, 'recipient address');
    if (r.type !== 'certificato' && r.type !== 'esterno') throw new StoreError('INVALID', `unknown recipient type ${String(r.type)}`);
    if (r.header !== 'to' && r.header !== 'cc') throw new StoreError('INVALID', `unknown recipient header ${String(r.header)}`);
    if (!STATES.includes(r.state)) throw new StoreError('INVALID', `unknown recipient state ${String(r.state)}`);
    if (!Number.isSafeInteger(r.updatedAt)) throw new StoreError('INVALID', 'recipient updatedAt must be an integer');
  }
}

export class Flows {
  constructor(private readonly ctx: StoreContext) {}

  create(flow: Flow): void {
    checkFlow(flow);
    this.ctx.transaction(() => {
      if (this.ctx.stmt('SELECT 1 FROM flows WHERE identificativo = ?').get(flow.identificativo)) {
        throw new StoreError('EXISTS', `flow ${flow.identificativo} exists`);
      }
      this.ctx
        .stmt(
          `INSERT INTO flows (identificativo, gestore, sender, client_message_id, subject, receipt_type, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(flow.identificativo, flow.gestore, flow.sender, flow.clientMessageId, flow.subject, flow.receiptType, flow.createdAt);
      const insert = this.ctx.stmt(
        `INSERT INTO flow_recipients (flow, pos, address, type, header, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      flow.recipients.forEach((r, pos) =>
        insert.run(flow.identificativo, pos, r.address, r.type, r.header, r.state, r.updatedAt),
      );
    });
  }

  get(identificativo: string): Flow | undefined {
    const row = this.ctx.stmt<FlowRow>('SELECT * FROM flows WHERE identificativo = ?').get(identificativo);
    return row && this.toFlow(row);
  }

  find(query: { clientMessageId?: string; gestore?: string; sender?: string; limit?: number }): Flow[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.clientMessageId !== undefined) {
      where.push('client_message_id = ?');
      params.push(query.clientMessageId);
    }
    if (query.gestore !== undefined) {
      where.push('gestore = ?');
      params.push(query.gestore);
    }
    if (query.sender !== undefined) {
      where.push('sender = ? COLLATE NOCASE');
      params.push(query.sender);
    }
    const limit = query.limit;
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) throw new StoreError('INVALID', 'limit must be a non-negative integer');
    params.push(limit ?? -1);
    // rowid is creation order, even when the virtual clock gives two flows the same createdAt
    const sql = `SELECT * FROM flows ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY rowid LIMIT ?`;
    return this.ctx.stmt<FlowRow>(sql).all(...params).map((row) => this.toFlow(row));
  }

  /** updates every recipient entry of the flow with that address (compared ignoring case) */
  setRecipientState(identificativo: string, address: string, state: RecipientState, at: number): void {
    if (!STATES.includes(state)) throw new StoreError('INVALID', `unknown recipient state ${String(state)}`);
    if (!Number.isSafeInteger(at)) throw new StoreError('INVALID', 'at must be an integer');
    this.ctx.transaction(() => {
      const info = this.ctx
        .stmt('UPDATE flow_recipients SET state = ?, updated_at = ? WHERE flow = ? AND address = ? COLLATE NOCASE')
        .run(state, at, identificativo, address);
      if (info.changes === 0) {
        const what = this.ctx.stmt('SELECT 1 FROM flows WHERE identificativo = ?').get(identificativo)
          ? `no recipient ${address} in flow ${identificativo}`
          : `no flow ${identificativo}`;
        throw new StoreError('NOT_FOUND', what);
      }
    });
  }

  private toFlow(row: FlowRow): Flow {
    const recipients = this.ctx
      .stmt<RecipientRow>('SELECT * FROM flow_recipients WHERE flow = ? ORDER BY pos')
      .all(row.identificativo)
      .map(toRecipient);
    return {
      identificativo: row.identificativo,
      gestore: row.gestore,
      sender: row.sender,
      clientMessageId: row.client_message_id,
      subject: row.subject,
      receiptType: row.receipt_type as ReceiptFlavour,
      createdAt: row.created_at,
      recipients,
    };
  }
}
