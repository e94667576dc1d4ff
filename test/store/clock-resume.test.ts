// Where an on-disk testbed's virtual clock resumes: the store's meta table keeps the clock's time
// (reset() empties the log, not meta), read back after a clean stop and after SIGKILL; data dirs
// written before that key resume from their last log record.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLOCK_TIME_KEY } from '../../src/clock/resume.js';
import { openStore, StoreError } from '../../src/store/index.js';
import { startTestbed } from '../../src/testbed/testbed.js';
import { exited, startCli } from '../helpers/cli.js';
import { testCertsDir } from '../helpers/testbed.js';
import { harness, MODES, tempDir } from './helpers.js';

const HOUR = 3_600_000;
const START = Date.parse('2026-10-24T09:00:00+02:00');

interface StartInfo {
  endpoints: Record<string, { host: string; port: number }>;
}

async function call(info: StartInfo, path: string, body?: unknown): Promise<{ ms: number }> {
  const { host, port } = info.endpoints.http;
  const res = await fetch(`http://${host}:${port}/api/v1${path}`, body === undefined
    ? {}
    : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { ms: number };
}

function restartOn(dataDir: string) {
  return startTestbed({ dataDir, ports: 'ephemeral', certsDir: testCertsDir(), clock: { start: START, speed: 0 } });
}

function recordedIn(dataDir: string): number | undefined {
  const store = openStore({ path: join(dataDir, 'store.sqlite') });
  try {
    return store.getMeta(CLOCK_TIME_KEY);
  } finally {
    store.close();
  }
}

describe('store meta integers', () => {
  for (const mode of MODES) {
    it(`are kept by reset() and across a reopen (${mode})`, () => {
      const h = harness(mode);
      expect(h.store.getMeta('clock_time')).toBeUndefined();
      h.store.setMeta('clock_time', START);
      h.store.setMeta('clock_time', START + HOUR);
      h.store.reset();
      expect(h.store.getMeta('clock_time')).toBe(START + HOUR);
      if (mode === 'disk') expect(h.reopen()!.getMeta('clock_time')).toBe(START + HOUR);
    });
  }

  it('refuses the store\'s own keys and values that are not safe integers', () => {
    const h = harness('memory');
    const counter = h.store.getMeta('uid_validity_next');
    expect(counter).toBeGreaterThan(0);
    expect(() => h.store.setMeta('uid_validity_next', 1)).toThrow(StoreError);
    expect(h.store.getMeta('uid_validity_next')).toBe(counter);
    expect(() => h.store.setMeta('fault_rule_next_id', 1)).toThrow(/belongs to the store/);
    for (const value of [1.5, Number.NaN, 2 ** 53]) expect(() => h.store.setMeta('clock_time', value)).toThrow(/safe integer/);
    expect(() => h.store.setMeta('', 1)).toThrow(StoreError);
  });
});

describe('restart after SIGKILL, with the log emptied by a reset', () => {
  it('a paused clock resumes exactly at its last move', async () => {
    const dataDir = tempDir();
    const first = await startCli<StartInfo>(['--data-dir', dataDir, '--certs', testCertsDir(), '--ports', 'ephemeral',
      '--clock-start', new Date(START).toISOString(), '--clock-speed', '0']);
    await call(first.info, '/clock/advance', { by: '5h' });
    await call(first.info, '/reset', {});
    await call(first.info, '/clock/advance', { by: '2h' });
    first.child.kill('SIGKILL');
    await exited(first.child);

    const tb = await restartOn(dataDir);
    try {
      expect(tb.clock.now()).toBe(START + 7 * HOUR);
    } finally {
      await tb.stop();
    }
  });

  it('a running clock resumes no earlier than its last move, and no later than it was last seen', async () => {
    const dataDir = tempDir();
    const first = await startCli<StartInfo>(['--data-dir', dataDir, '--certs', testCertsDir(), '--ports', 'ephemeral',
      '--clock-start', new Date(START).toISOString(), '--clock-speed', '3600']);
    const before = (await call(first.info, '/clock')).ms;
    await call(first.info, '/clock/advance', { by: '5h' });
    await call(first.info, '/reset', {});
    const seen = (await call(first.info, '/clock')).ms;
    first.child.kill('SIGKILL');
    await exited(first.child);

    const tb = await restartOn(dataDir);
    try {
      expect(tb.clock.now()).toBeGreaterThanOrEqual(before + 5 * HOUR);
      expect(tb.clock.now()).toBeLessThanOrEqual(seen);
    } finally {
      await tb.stop();
    }
  });
});

describe('restart after a clean stop', () => {
  it('a running clock resumes at the time it had reached when stopped, after a reset too', async () => {
    const dataDir = tempDir();
    const first = await startTestbed({ dataDir, ports: 'ephemeral', certsDir: testCertsDir(), clock: { start: START, speed: 3600 } });
    await first.advance('5h');
    await first.reset();
    const lastSeen = first.clock.now();
    await first.stop();
    const recorded = recordedIn(dataDir)!;
    expect(recorded).toBeGreaterThanOrEqual(lastSeen);

    const tb = await restartOn(dataDir);
    try {
      expect(tb.clock.now()).toBe(recorded);
    } finally {
      await tb.stop();
    }
  });

  it('a data dir written before the meta key resumes from its last log record, then records the clock', async () => {
    const dataDir = tempDir();
    const old = openStore({ path: join(dataDir, 'store.sqlite') });
    old.appendLog({ at: START + 3 * HOUR, gestore: 'testbed', actor: 'orologio', event: 'arresto' });
    old.close();
    expect(recordedIn(dataDir)).toBeUndefined();

    const tb = await restartOn(dataDir);
    try {
      expect(tb.clock.now()).toBe(START + 3 * HOUR);
      await tb.advance('1h');
    } finally {
      await tb.stop();
    }
    expect(recordedIn(dataDir)).toBe(START + 4 * HOUR);
  });
});
