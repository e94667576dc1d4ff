// Blobs: bytes a job needs later (a busta to relay, a receipt to deliver) stored in the same
// transaction that enqueues the job, so the job never points at bytes that were not kept.
//
// Also the one way bytes enter `message_raw`, for blobs and messages alike (putRaw). Rows there are
// content-addressed: a PEC flow handles the same busta as the sender's relay blob, the receiving
// MX's blob and a delivered message, and commit cost grows with the bytes written, so identical
// bytes are written once. A `blobs` row is only a stable id (jobs keep it in their payload) for a
// reference to them; the schema's triggers drop the bytes with their last reference.

import { createHash } from 'node:crypto';
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';

/** the bytes as a Buffer (a Uint8Array view is accepted without copying) */
export function asBuffer(data: unknown, what: string): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new StoreError('INVALID', `${what} must be a Buffer`);
}

/**
 * The id of the `message_raw` row holding exactly these bytes, written only if no row does. Call
 * it inside the transaction that inserts the reference: until then nothing keeps the row, and
 * another connection deleting its last reference could drop it between the two statements here.
 */
export function putRaw(ctx: StoreContext, bytes: Buffer): number {
  // SHA-256 stands for the bytes: a collision is not a practical concern, so a hit is not compared
  const sha256 = createHash('sha256').update(bytes).digest();
  // DO NOTHING, not DO UPDATE ... RETURNING: an update would rewrite the row, the write this avoids
  const info = ctx.stmt('INSERT INTO message_raw (sha256, data) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING').run(sha256, bytes);
  if (info.changes > 0) return Number(info.lastInsertRowid);
  return ctx.pluck<number>('SELECT id FROM message_raw WHERE sha256 = ?').get(sha256)!;
}

export class Blobs {
  constructor(private readonly ctx: StoreContext) {}

  put(data: Buffer): number {
    const bytes = asBuffer(data, 'blob data');
    return this.ctx.transaction(() =>
      Number(this.ctx.stmt('INSERT INTO blobs (raw_id) VALUES (?)').run(putRaw(this.ctx, bytes)).lastInsertRowid),
    );
  }

  get(id: number): Buffer | undefined {
    return this.ctx.pluck<Buffer>('SELECT r.data FROM blobs b JOIN message_raw r ON r.id = b.raw_id WHERE b.id = ?').get(id);
  }

  delete(id: number): void {
    this.ctx.stmt('DELETE FROM blobs WHERE id = ?').run(id);
  }
}
