// Italian local time on both sides of the 2026 DST changes, judged against the system tz database
// through `date` (an implementation nobody here wrote), and in a built message's Date and daticert.

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPecMessage, compactStamp, daticertData, newIdentificativo, parseDaticert, rfc5322Date, romeTime, seededIds,
} from '../../src/pec/index.js';
import { acceptedSample, context, createWorkspace, headerValue, parse, DIALECTS, type Workspace } from './helpers.js';

function systemRome(at: number): string {
  return execFileSync('date', ['-d', `@${Math.floor(at / 1000)}`, '+%d/%m/%Y %H:%M:%S %z'], { env: { ...process.env, TZ: 'Europe/Rome' } })
    .toString()
    .trim();
}

const instants: Array<[string, number, string]> = [
  ['last second of winter time', Date.UTC(2026, 2, 29, 0, 59, 59), '29/03/2026 01:59:59 +0100'],
  ['first second of summer time', Date.UTC(2026, 2, 29, 1, 0, 0), '29/03/2026 03:00:00 +0200'],
  ['last second of summer time', Date.UTC(2026, 9, 25, 0, 59, 59), '25/10/2026 02:59:59 +0200'],
  ['first second of winter time (02:00 again)', Date.UTC(2026, 9, 25, 1, 0, 0), '25/10/2026 02:00:00 +0100'],
  ['new year, winter', Date.UTC(2025, 11, 31, 23, 0, 0), '01/01/2026 00:00:00 +0100'],
  ['leap day', Date.UTC(2028, 1, 29, 12, 34, 56), '29/02/2028 13:34:56 +0100'],
];

describe('daticert data', () => {
  it.each(instants)('%s', (_name, at, expected) => {
    const { giorno, ora, zona } = daticertData(at);
    expect(`${giorno} ${ora} ${zona}`).toBe(expected);
    expect(`${giorno} ${ora} ${zona}`).toBe(systemRome(at));
  });

  it('drops milliseconds rather than rounding them up', () => {
    expect(daticertData(Date.UTC(2026, 2, 29, 0, 59, 59, 999)).ora).toBe('01:59:59');
  });

  it('agrees with the system tz database every 7 hours across 2026', () => {
    const start = Date.UTC(2026, 0, 1);
    const instantsOfYear: number[] = [];
    for (let at = start; at < Date.UTC(2027, 0, 1); at += 7 * 3600_000 + 1234_000) instantsOfYear.push(at);
    const script = instantsOfYear.map((at) => `@${Math.floor(at / 1000)}`).join('\n');
    const lines = execFileSync('date', ['-f', '-', '+%d/%m/%Y %H:%M:%S %z'], { input: script, env: { ...process.env, TZ: 'Europe/Rome' } })
      .toString()
      .trim()
      .split('\n');
    const ours = instantsOfYear.map((at) => {
      const d = daticertData(at);
      return `${d.giorno} ${d.ora} ${d.zona}`;
    });
    expect(ours).toEqual(lines);
  });
});

describe('RFC 5322 Date in Italian local time', () => {
  it('writes the Italian offset on each side of both changes', () => {
    expect(rfc5322Date(Date.UTC(2026, 2, 29, 0, 59, 59))).toBe('Sun, 29 Mar 2026 01:59:59 +0100');
    expect(rfc5322Date(Date.UTC(2026, 2, 29, 1, 0, 0))).toBe('Sun, 29 Mar 2026 03:00:00 +0200');
    expect(rfc5322Date(Date.UTC(2026, 9, 25, 0, 59, 59))).toBe('Sun, 25 Oct 2026 02:59:59 +0200');
    expect(rfc5322Date(Date.UTC(2026, 9, 25, 1, 0, 0))).toBe('Sun, 25 Oct 2026 02:00:00 +0100');
  });

  it('denotes the same instant (Date.parse round trip)', () => {
    for (const [, at] of instants) expect(Date.parse(rfc5322Date(at))).toBe(at);
  });

  it('romeTime exposes the offset in minutes', () => {
    expect(romeTime(Date.UTC(2026, 6, 1)).offsetMinutes).toBe(120);
    expect(romeTime(Date.UTC(2026, 0, 1)).offsetMinutes).toBe(60);
  });
});

describe('identificativo', () => {
  it('has the Aruba / Sogei shape with the Italian local timestamp', () => {
    const id = newIdentificativo(Date.UTC(2026, 2, 29, 1, 0, 0), seededIds(7), 'pec.alfa.test');
    expect(id).toMatch(/^opec\d{1,3}\.20260329030000\.\d{4,5}\.\d{2}\.\d\.\d{1,3}@pec\.alfa\.test$/);
    expect(compactStamp(Date.UTC(2026, 9, 25, 1, 0, 0))).toBe('20261025020000');
  });

  it('is a function of seed and time, and differs between draws', () => {
    const at = Date.UTC(2026, 2, 29, 8);
    expect(newIdentificativo(at, seededIds('x'), 'pec.alfa.test')).toBe(newIdentificativo(at, seededIds('x'), 'pec.alfa.test'));
    const ids = seededIds('y');
    const many = new Set(Array.from({ length: 5000 }, () => newIdentificativo(at, ids, 'pec.alfa.test')));
    expect(many.size).toBe(5000);
  });

  it('refuses a domain that could break the id', () => {
    expect(() => newIdentificativo(0, seededIds(1), 'pec.alfa.test>\r\nBcc: x')).toThrow(/not a mail domain/);
  });
});

describe('time in built messages', () => {
  let ws: Workspace;
  beforeAll(() => {
    ws = createWorkspace();
  });
  afterAll(() => ws.cleanup());

  it.each([
    ['winter', Date.UTC(2026, 2, 29, 0, 59, 59), 'Sun, 29 Mar 2026 01:59:59 +0100', { giorno: '29/03/2026', ora: '01:59:59', zona: '+0100' }],
    ['summer', Date.UTC(2026, 2, 29, 1, 0, 0), 'Sun, 29 Mar 2026 03:00:00 +0200', { giorno: '29/03/2026', ora: '03:00:00', zona: '+0200' }],
  ])('%s: Date header and daticert data tell the same local time', async (_n, at, date, data) => {
    const { facts } = acceptedSample();
    const { raw } = await buildPecMessage(context(ws.alfa(DIALECTS[0][1]), 1, at), { kind: 'accettazione', facts, to: facts.mittente });
    expect(headerValue(raw, 'Date')).toBe(date);
    const xml = (await parse(raw)).attachments.find((a) => a.filename === 'daticert.xml')!.content;
    const reading = parseDaticert(xml);
    expect(reading.ok && reading.daticert.data).toEqual(data);
  });
});
