// The virtual clock as the testbed uses it: `tb.advance` fires every job due in the span, in due
// order and at its own virtual time; an on-disk testbed never restarts in its own past; a seed
// makes the bytes of every message reproducible; virtual time never leaves its range.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePec } from '../../src/pec/parse.js';
import { inbox, rawOf, startTestTestbed, submit, testCertsDir } from '../helpers/testbed.js';
import { startTestbed } from '../../src/testbed/testbed.js';
import { VirtualClock, parseDuration } from '../../src/clock/clock.js';
import { ClockRangeError, EARLIEST_TIME, LATEST_TIME } from '../../src/clock/range.js';
import { advanceThrough } from '../../src/clock/step.js';
import { LIFETIME } from '../../src/pki/issue.js';

const A = 'protocollo@pec.comune-giardinello.test';
const HOUR = 3_600_000;
const START = Date.parse('2026-10-24T09:00:00+02:00');

describe('tb.advance', () => {
  it('stops at every due job: one 30 h advance gives four notices in due order, each at its own time', async () => {
    const tb = await startTestTestbed({ clock: { start: START, speed: 0 } });
    try {
      const first = await submit(tb, { from: A, to: 'protocollo+silenzio@pec.comune-mineo.test', subject: 'Primo' });
      await tb.advance('1h');
      const second = await submit(tb, { from: A, to: 'mario.rossi+silenzio@pec.beta.test', subject: 'Secondo' });
      await tb.idle();
      const now = await tb.advance('30h');
      expect(now).toBe(START + 31 * HOUR);
      const notices = inbox(tb, A)
        .map((hit) => ({ hit, p: parsePec(rawOf(tb, hit)) }))
        .filter(({ p }) => p.kind === 'preavviso-12h' || p.kind === 'errore-24h');
      // in mailbox (UID) order, which is the order they were emitted in
      expect(notices.map(({ p }) => `${p.kind} ${p.daticert!.identificativo === first.identificativo ? 'primo' : 'secondo'}`)).toEqual([
        'preavviso-12h primo', 'preavviso-12h secondo', 'errore-24h primo', 'errore-24h secondo',
      ]);
      expect(notices.map(({ hit }) => (hit.internalDate - START) / HOUR)).toEqual([12, 13, 24, 25]);
      // the Date header follows the virtual clock, across the October DST change (+0200 -> +0100)
      expect(notices.map(({ p }) => p.date)).toEqual([
        'Sat, 24 Oct 2026 21:00:00 +0200', 'Sat, 24 Oct 2026 22:00:00 +0200', 'Sun, 25 Oct 2026 08:00:00 +0100', 'Sun, 25 Oct 2026 09:00:00 +0100',
      ]);
      expect(second.identificativo).not.toBe(first.identificativo);
    } finally {
      await tb.stop();
    }
  });
});

describe('clock.advance + idle', () => {
  it('fires every job due by then, each dated at the end of the jump (tb.advance stops on the way instead)', async () => {
    const tb = await startTestTestbed({ clock: { start: START, speed: 0 } });
    try {
      const sent = await submit(tb, { from: A, to: 'protocollo+silenzio@pec.comune-mineo.test', subject: 'Salto' });
      await tb.idle();
      tb.clock.advance('30h');
      await tb.idle();
      const got = inbox(tb, A).map((hit) => ({ hit, p: parsePec(rawOf(tb, hit)) })).filter(({ p }) => p.daticert?.identificativo === sent.identificativo);
      expect(got.map(({ p }) => p.kind)).toEqual(['accettazione', 'preavviso-12h', 'errore-24h']);
      expect(got.slice(1).map(({ hit }) => (hit.internalDate - START) / HOUR)).toEqual([30, 30]);
    } finally {
      await tb.stop();
    }
  });
});

describe('restart on an on-disk store', () => {
  it('resumes virtual time where it stopped, even when told an earlier start, and still fires the timers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pec-clock-'));
    const options = { dataDir, ports: 'ephemeral' as const, certsDir: testCertsDir(), clock: { start: START, speed: 0 } };
    let tb = await startTestbed(options);
    const sent = await submit(tb, { from: A, to: 'protocollo+silenzio@pec.comune-mineo.test', subject: 'Prima del riavvio' });
    await tb.advance('5h');
    await tb.stop();

    tb = await startTestbed(options);
    try {
      expect(tb.clock.now()).toBe(START + 5 * HOUR);
      await tb.advance('8h');
      const got = inbox(tb, A).map((hit) => ({ hit, p: parsePec(rawOf(tb, hit)) })).filter(({ p }) => p.daticert?.identificativo === sent.identificativo);
      expect(got.map(({ p }) => p.kind)).toEqual(['accettazione', 'preavviso-12h']);
      expect(got[1].hit.internalDate).toBe(START + 12 * HOUR);
    } finally {
      await tb.stop();
    }
  });
});

describe('seed', () => {
  it('same seed and clock: the same identificativo and the same bytes; another seed: others', async () => {
    const raw = `From: ${A}\r\nTo: protocollo@pec.comune-mineo.test\r\nSubject: Riproducibile\r\nMessage-ID: <seed@app.test>\r\nDate: Sat, 24 Oct 2026 09:00:00 +0200\r\n\r\nciao\r\n`;
    const run = async (seed: string) => {
      const tb = await startTestTestbed({ clock: { start: START, speed: 0 }, seed });
      try {
        const sent = await submit(tb, { from: A, to: 'protocollo@pec.comune-mineo.test', raw, envelope: { from: A, to: ['protocollo@pec.comune-mineo.test'] } });
        await tb.idle();
        const all = inbox(tb, A).map((hit) => rawOf(tb, hit).toString('latin1'));
        return { id: sent.identificativo, all };
      } finally {
        await tb.stop();
      }
    };
    const a = await run('42');
    const b = await run('42');
    const c = await run('43');
    expect(a.all).toHaveLength(2);
    expect(b).toEqual(a);
    expect(c.id).not.toBe(a.id);
    expect(c.all[0]).not.toBe(a.all[0]);
  });
});

describe('the range of virtual time', () => {
  const DAY = 24 * HOUR;

  it('is whole ms from the epoch to the end of 9989 in Rome, so a CA issued at the latest time still ends in year 9999', () => {
    expect(new Date(EARLIEST_TIME).toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(new Date(LATEST_TIME).toISOString()).toBe('9989-12-31T22:59:59.999Z');
    expect(LATEST_TIME + LIFETIME.ca).toBeLessThanOrEqual(Date.UTC(9999, 11, 31, 22, 59, 59, 999));
    expect(Number.isSafeInteger(LATEST_TIME)).toBe(true);
  });

  it('refuses a start outside it, or not whole ms', () => {
    for (const start of [-1, LATEST_TIME + 1, 8.64e15, 1e17, Number.NaN, Infinity, START + 0.5]) {
      expect(() => new VirtualClock({ start, speed: 0 }), String(start)).toThrow(ClockRangeError);
    }
    expect(new VirtualClock({ start: LATEST_TIME, speed: 0 }).now()).toBe(LATEST_TIME);
    expect(new VirtualClock({ start: EARLIEST_TIME, speed: 0 }).now()).toBe(EARLIEST_TIME);
  });

  it('refuses an advance or a set that would leave it, before anything changes', () => {
    const clock = new VirtualClock({ start: START, speed: 0 });
    let changes = 0;
    clock.onChange(() => changes++);
    const room = LATEST_TIME - START;
    for (const by of ['99999999999999999', '100000000d', room + 1, 1e17, Infinity, '9'.repeat(400)]) {
      const refused = (() => {
        try {
          clock.advance(by);
        } catch (error) {
          return error;
        }
      })();
      expect(refused, String(by).slice(0, 20)).toBeInstanceOf(ClockRangeError);
      expect((refused as ClockRangeError).allowed).toEqual({ min: 0, max: room });
    }
    for (const at of [LATEST_TIME + 1, 8.64e15, 1e17, START + 1.5, Number.NaN, START - 1]) {
      expect(() => clock.set(at), String(at)).toThrow(ClockRangeError);
    }
    expect(clock.now()).toBe(START);
    expect(changes).toBe(0);
    expect(clock.advance(room)).toBe(LATEST_TIME);
    expect(changes).toBe(1);
    expect(() => clock.advance(1)).toThrow(ClockRangeError);
    expect(clock.advance(0)).toBe(LATEST_TIME);
  });

  it('moves in whole milliseconds: a fraction is refused, and decimal durations are exact', () => {
    const clock = new VirtualClock({ start: START, speed: 0 });
    expect(() => clock.advance('1.5ms')).toThrow(/whole milliseconds/);
    expect(() => clock.advance(0.25)).toThrow(/whole milliseconds/);
    expect(clock.now()).toBe(START);
    // in floating point 1.1 * 3600000 is 3960000.0000000005
    expect(parseDuration('1.1h')).toBe(3_960_000);
    expect(parseDuration('1.15d')).toBe(99_360_000);
    expect(parseDuration('1h 30m')).toBe(90 * 60_000);
    expect(clock.advance('1.1h')).toBe(START + 3_960_000);
    expect(Number.isInteger(clock.now())).toBe(true);
  });

  it('a running clock, however fast, stops at the latest time and never leaves the range', () => {
    let real = 1_000;
    const clock = new VirtualClock({ start: START, speed: 1e12, realNow: () => real });
    real += 1_000;
    expect(clock.now()).toBe(LATEST_TIME);
    real += 1e9;
    expect(clock.now()).toBe(LATEST_TIME);
    expect(() => new Date(clock.now()).toISOString()).not.toThrow();
    // work due later never falls due: no timer is planned for it
    expect(clock.realDelayUntil(LATEST_TIME + DAY)).toBe(Infinity);
    expect(clock.realDelayUntil(LATEST_TIME)).toBe(0);
    expect(() => clock.advance(1)).toThrow(ClockRangeError);
    clock.setSpeed(0);
    expect(clock.now()).toBe(LATEST_TIME);
    // a float speed times a real delay is no whole number: now() still is
    const slow = new VirtualClock({ start: START, speed: 0.3, realNow: () => real });
    real += 7;
    expect(slow.now()).toBe(START + 2);
  });

  it('tb.advance past the range rejects before any work runs or the clock moves', async () => {
    const clock = new VirtualClock({ start: START, speed: 0 });
    let asked = 0;
    const work = { idle: async () => void asked++, nextDueAt: () => (asked++, START + HOUR) };
    await expect(advanceThrough(clock, work, '100000000d')).rejects.toBeInstanceOf(ClockRangeError);
    await expect(advanceThrough(clock, work, '2.5ms')).rejects.toBeInstanceOf(ClockRangeError);
    expect(asked).toBe(0);
    expect(clock.now()).toBe(START);
  });
});
