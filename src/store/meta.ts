// Named integers kept in the `meta` table for the testbed's own use (e.g. where the virtual clock
// stood). Unlike the log they survive reset(). Keys the store manages itself are refused: a
// caller writing the UIDVALIDITY or the fault rule id counter could make a value come back.

import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';

const STORE_OWNED = new Set(['uid_validity_next', 'fault_rule_next_id']);

/** the row as stored, unchecked: for the store's own modules (they own their keys) */
export function readMeta(ctx: StoreContext, key: string): unknown {
  return ctx.pluck<unknown>('SELECT value FROM meta WHERE key = ?').get(key);
}

/** writes the row, unchecked: for the store's own modules, after their own checks */
export function writeMeta(ctx: StoreContext, key: string, value: number): void {
  ctx.stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

export class Meta {
  constructor(private readonly ctx: StoreContext) {}

  get(key: string): number | undefined {
    if (typeof key !== 'string') return undefined;
    return readMeta(this.ctx, key) as number | undefined;
  }

  set(key: string, value: number): void {
    if (typeof key !== 'string' || key.length === 0) throw new StoreError('INVALID', 'meta key must be a non-empty string');
    if (STORE_OWNED.has(key)) throw new StoreError('INVALID', `meta key ${key} belongs to the store`);
    if (!Number.isSafeInteger(value)) throw new StoreError('INVALID', `meta ${key} must be a safe integer, got ${value}`);
    writeMeta(this.ctx, key, value);
  }
}
