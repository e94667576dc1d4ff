// The job runner on a real on-disk store: it starts a job only once the work that queued it is
// committed (what another connection, or the file after a crash, can see), and a job's handler
// failing leads to a retry later on the clock, not to a lost job.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/clock.js';
import { JobRunner } from '../../src/gestore/runner.js';
import { openStore, type SqliteStore } from '../../src/store/index.js';
import type { Job } from '../../src/store/types.js';
import { tempDir } from '../store/helpers.js';

let store: SqliteStore | undefined;
let runner: JobRunner | undefined;
afterEach(async () => {
  await runner?.stop();
  store?.close();
  runner = undefined;
  store = undefined;
});

function pendingJobsSeenFromOutside(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM jobs').pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('job runner', () => {
  it('starts a job queued by a group-committed unit only after that unit is durable', async () => {
    const file = path.join(tempDir(), 'store.sqlite');
    store = openStore({ path: file });
    const clock = new VirtualClock({ start: 1_750_000_000_000, speed: 0 });
    const seen: Array<{ uncommitted: boolean; outside: number }> = [];
    runner = new JobRunner(store, clock, {
      work: async (job: Job) => {
        seen.push({ uncommitted: store!.uncommitted, outside: pendingJobsSeenFromOutside(file) });
        store!.groupTransaction(() => store!.completeJob(job.id));
      },
    });
    runner.start();
    store.groupTransaction(() => store!.enqueueJob({ kind: 'work', dueAt: clock.now(), payload: { n: 1 } }));
    runner.wake();
    await runner.idle();
    expect(seen).toEqual([{ uncommitted: false, outside: 1 }]);
    await store.committed();
    expect(pendingJobsSeenFromOutside(file)).toBe(0);
  });

  it('retries a failing job later on the clock and keeps it pending meanwhile', async () => {
    store = openStore({ inMemory: true });
    const clock = new VirtualClock({ start: 1_750_000_000_000, speed: 0 });
    const errors: string[] = [];
    let attempts = 0;
    runner = new JobRunner(store, clock, {
      flaky: async (job: Job) => {
        if (++attempts === 1) throw new Error('next hop down');
        store!.completeJob(job.id);
      },
    }, { onError: (_job, error) => errors.push((error as Error).message) });
    runner.start();
    store.enqueueJob({ kind: 'flaky', dueAt: clock.now(), payload: null });
    runner.wake();
    await runner.idle();
    expect(errors).toEqual(['next hop down']);
    expect(store.listJobs()).toEqual([expect.objectContaining({ kind: 'flaky', attempts: 1, lastError: 'next hop down', dueAt: clock.now() + 2_000 })]);
    clock.advance(2_000);
    await expect.poll(() => store!.listJobs().length).toBe(0);
    expect(attempts).toBe(2);
  });
});
