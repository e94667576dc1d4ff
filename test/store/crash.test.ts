// A commit the store has returned from must survive the process being SIGKILLed (what a 250
// after DATA promises), and a transaction cut short must leave no trace.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { BATCH, batchIndex, CRASH_ACCOUNT, rawFor } from './fixtures/crash-data.js';
import { tempDir } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const writer = path.join(here, 'fixtures', 'crash-writer.ts');
const root = path.resolve(here, '..', '..');

interface Run {
  committed: number[];
  sawInside: boolean;
  signal: NodeJS.Signals | null;
}

/** runs the writer; kills it once `killAfter` commits were printed (plus a random delay) */
function runWriter(file: string, options: { killAfter?: number; mode?: string }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, file, options.mode ?? 'loop'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const committed: number[] = [];
    let sawInside = false;
    let buffered = '';
    let stderr = '';
    let killing = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line === 'inside') sawInside = true;
        const m = /^committed (\d+)$/.exec(line);
        if (m) committed.push(Number(m[1]));
      }
      if (options.killAfter !== undefined && !killing && committed.length >= options.killAfter) {
        killing = true;
        // land anywhere: between commits or inside the next transaction
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 15));
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code}/${signal}: ${stderr}`));
      else resolve({ committed, sawInside, signal });
    });
  });
}

/** reopens the database and checks that it holds exactly batches 0..n-1, each one complete */
function verify(file: string): number {
  const store = openStore({ path: file });
  try {
    expect(store.database.pragma('integrity_check', { simple: true })).toBe('ok');
    const batches = store.queryLog({ event: 'batch' }).map(batchIndex);
    const n = batches.length;
    expect(batches).toEqual(Array.from({ length: n }, (_, i) => i));
    const inbox = store.getFolder(CRASH_ACCOUNT, 'INBOX')!;
    const messages = store.listMessages(inbox.id);
    expect(messages.map((m) => m.identificativo)).toEqual(Array.from({ length: n * BATCH }, (_, s) => `c-${s}`));
    expect(messages.map((m) => m.uid)).toEqual(Array.from({ length: n * BATCH }, (_, s) => s + 1));
    const pending = new Map(store.listJobs().map((j) => [j.key, j]));
    for (let seq = 0; seq < n * BATCH; seq++) {
      const raw = rawFor(seq);
      expect(store.getRaw(messages[seq].id).equals(raw)).toBe(true);
      const firstOfCompletedBatch = seq % BATCH === 0 && seq / BATCH < n - 1;
      const job = pending.get(`relay:${seq}`);
      if (firstOfCompletedBatch) {
        expect(job).toBeUndefined();
      } else {
        expect(job).toBeDefined();
        const payload = job!.payload as { seq: number; blob: number; message: number };
        expect(payload).toMatchObject({ seq, message: messages[seq].id });
        expect(store.getBlob(payload.blob)?.equals(raw)).toBe(true);
      }
    }
    expect(pending.size).toBe(n * BATCH - Math.max(0, n - 1));
    expect(pending.has('uncommitted')).toBe(false);
    // completed keys are remembered: replaying the enqueue is a no-op (read-only check: inserts nothing)
    for (let b = 0; b < n - 1; b++) {
      expect(store.enqueueJob({ kind: 'relay', dueAt: 0, payload: null, key: `relay:${b * BATCH}` })).toBeUndefined();
    }
    expect(store.findMessages({ identificativo: 'uncommitted' })).toEqual([]);
    expect(inbox.uidNext).toBe(n * BATCH + 1);
    return n;
  } finally {
    store.close();
  }
}

describe('crash durability (SIGKILL)', () => {
  it('every commit acknowledged before SIGKILL is there after reopen, and nothing half-written', async () => {
    const file = path.join(tempDir(), 'store.sqlite');
    let total = 0;
    for (const killAfter of [15, 25, 10]) {
      const run = await runWriter(file, { killAfter });
      expect(run.signal).toBe('SIGKILL');
      expect(run.committed.length).toBeGreaterThanOrEqual(killAfter);
      const n = verify(file);
      // all printed commits are there; the writer may have committed more than we read
      expect(n).toBeGreaterThan(Math.max(...run.committed));
      expect(n).toBeGreaterThanOrEqual(total + run.committed.length);
      total = n;
    }
  });

  it('a transaction killed midway, with pages already spilled to the WAL, leaves no trace', async () => {
    const file = path.join(tempDir(), 'store.sqlite');
    const run = await runWriter(file, { mode: 'self-kill' });
    expect(run.sawInside).toBe(true);
    expect(run.committed).toEqual([0, 1, 2]);
    // the three batches are well under 1 MB: the rest of the WAL is uncommitted spilled frames
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(4_000_000);
    expect(verify(file)).toBe(3);
    // and the store keeps working after recovery
    const again = await runWriter(file, { mode: 'self-kill' });
    expect(again.committed).toEqual([3, 4, 5]);
    expect(verify(file)).toBe(6);
  });
});
