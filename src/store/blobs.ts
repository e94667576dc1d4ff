// Blobs: bytes a job needs later (a busta to relay, a receipt to deliver) stored in the same
// transaction that enqueues the job, so the job never points at bytes that were not kept.

import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';

/** the bytes as a Buffer (a Uint8Array view is accepted without copying) */
export function asBuffer(data: unknown, what: string): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new StoreError('INVALID', `${what} must be a Buffer`);
}

export class Blobs {
  constructor(private readonly ctx: StoreContext) {}

  put(data: Buffer): number {
    return Number(this.ctx.stmt('INSERT INTO blobs (data) VALUES (?)').run(asBuffer(data, 'blob data')).lastInsertRowid);
  }

  get(id: number): Buffer | undefined {
    return this.ctx.pluck<Buffer>('SELECT data FROM blobs WHERE id = ?').get(id);
  }

  delete(id: number): void {
    this.ctx.stmt('DELETE FROM blobs WHERE id = ?').run(id);
  }
}
