import { describe, expect, it } from 'vitest';
import {
  closest, Ctx, formatPath, hostname, isHostname, isMailAddress, mailAddress, object, optional, parseSize, required, string,
  withDefault, integer,
} from '../../src/topology/index.js';

const issues = (ctx: Ctx) => ctx.issues.map((i) => [formatPath(i.segments), i.message]);

describe('formats', () => {
  it('sizes: bytes, binary units, case and spaces', () => {
    expect(parseSize(1024)).toBe(1024);
    expect(parseSize('1024')).toBe(1024);
    expect(parseSize('30MB')).toBe(31457280);
    expect(parseSize('30 mb')).toBe(31457280);
    expect(parseSize('512k')).toBe(524288);
    expect(parseSize('1.5GiB')).toBe(1610612736);
    expect(parseSize('100B')).toBe(100);
    for (const bad of ['', 'MB', '-1', '1e3', '10 TB', '1,5MB', 'lots']) expect(parseSize(bad)).toBeUndefined();
    expect(parseSize(-1)).toBeUndefined();
    expect(parseSize(1.5)).toBeUndefined();
  });

  it('host names and addresses', () => {
    for (const good of ['pec.alfa.test', 'pec.comune-giardinello.test', 'a.b', 'x1.y2.test']) expect(isHostname(good)).toBe(true);
    for (const bad of ['localhost', 'pec_alfa.test', '-pec.test', 'pec-.test', 'pec..test', 'pec.test.', '1.2.3.4', `${'a'.repeat(64)}.test`]) {
      expect(isHostname(bad), bad).toBe(false);
    }
    expect(isMailAddress('mario.rossi@pec.beta.test')).toBe(true);
    for (const bad of ['mario@', '@pec.beta.test', 'mario..rossi@pec.beta.test', '.mario@pec.beta.test', 'a b@pec.test', 'a@b@pec.test']) {
      expect(isMailAddress(bad), bad).toBe(false);
    }
    const ctx = new Ctx();
    expect(hostname(' PEC.Alfa.TEST ', ctx)).toBe('pec.alfa.test');
    expect(mailAddress('Mario.Rossi@PEC.beta.test', ctx)).toBe('mario.rossi@pec.beta.test');
    expect(ctx.issues).toEqual([]);
  });
});

describe('validator building blocks', () => {
  it('paths read like the document', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath(['gestori', 1, 'domains', 0])).toBe('gestori[1].domains[0]');
    expect(formatPath(['faults', 'odd key'])).toBe('faults["odd key"]');
  });

  it('a mapping reports missing, unknown and bad keys together, and applies defaults', () => {
    const shape = object({
      code: required(integer({ min: 200, max: 599 })),
      text: withDefault(string(), 'ok'),
      note: optional(string()),
    });
    const ctx = new Ctx([], ['faults', 0]);
    expect(shape({ code: 700, txt: 'x', note: 3 }, ctx)).toBeUndefined();
    expect(issues(ctx)).toEqual([
      ['faults[0].txt', 'unknown key "txt" (did you mean "text"?); allowed here: code, text, note'],
      ['faults[0].code', 'expected at most 599, got 700'],
      ['faults[0].note', 'expected a string, got the number 3'],
    ]);
    const ok = new Ctx();
    expect(shape({ code: 552, note: null }, ok)).toEqual({ code: 552, text: 'ok', note: undefined });
    expect(ok.issues).toEqual([]);
  });

  it('suggests the nearest known key only when it is near', () => {
    expect(closest('gestore', ['gestori', 'ordinary'])).toBe('gestori');
    expect(closest('Ordinary', ['gestori', 'ordinary'])).toBe('ordinary');
    expect(closest('recv', ['gestori', 'ordinary'])).toBeUndefined();
  });
});
