// The virtual clock as the testbed uses it: `tb.advance` fires every job due in the span, in due
// order and at its own virtual time; an on-disk testbed never restarts in its own past; a seed
// makes the bytes of every message reproducible.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePec } from '../../src/pec/parse.js';
import { inbox, rawOf, startTestTestbed, submit, testCertsDir } from '../helpers/testbed.js';
import { startTestbed } from '../../src/testbed/testbed.js';

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
