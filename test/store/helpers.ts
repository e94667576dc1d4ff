// Shared by the store tests: every behavioural test runs on an on-disk store (temp dir, WAL) and
// on an in-memory one, with a settable clock.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { openStore, type OpenStoreOptions, type SqliteStore } from '../../src/store/index.js';

export interface Harness {
  store: SqliteStore;
  clock: { t: number; now(): number };
  /** closes and opens the same database again (in memory: not possible, returns undefined) */
  reopen(): SqliteStore | undefined;
}

export type Mode = 'disk' | 'memory';
export const MODES: Mode[] = ['disk', 'memory'];

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pec-store-test-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function harness(mode: Mode, extra: Partial<OpenStoreOptions> = {}): Harness {
  const clock = {
    t: 1_750_000_000_000,
    now(): number {
      return this.t;
    },
  };
  const file = mode === 'disk' ? path.join(tempDir(), 'store.sqlite') : undefined;
  const open = (): SqliteStore =>
    openStore({ ...(file ? { path: file } : { inMemory: true as const }), clock, ...extra } as OpenStoreOptions);
  const h: Harness = {
    store: open(),
    clock,
    reopen() {
      if (!file) return undefined;
      h.store.close();
      h.store = open();
      return h.store;
    },
  };
  cleanups.push(() => h.store.close());
  return h;
}

export const ALICE = 'alice@pec.alfa.test';
export const BOB = 'bob@pec.beta.test';

export function withAccounts(h: Harness): { inbox: number; sent: number; trash: number; bobInbox: number } {
  h.store.createAccount({ address: ALICE, password: 'pec', gestore: 'alfa' });
  h.store.createAccount({ address: BOB, password: 'pec', gestore: 'beta' });
  return {
    inbox: h.store.getFolder(ALICE, 'INBOX')!.id,
    sent: h.store.getFolder(ALICE, 'Sent')!.id,
    trash: h.store.getFolder(ALICE, 'Trash')!.id,
    bobInbox: h.store.getFolder(BOB, 'INBOX')!.id,
  };
}

export function msg(n: number | string): Buffer {
  return Buffer.from(`From: a@b.test\r\nSubject: message ${n}\r\n\r\nbody ${n}\r\n`, 'latin1');
}
