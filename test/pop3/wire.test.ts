// Pure framing: dot-stuffing and terminator, the TOP cut, SASL PLAIN decoding, line framing.
// The end-to-end suites check the same through real clients; these pin the edge cases.

import { describe, expect, it } from 'vitest';
import { LineReader } from '../../src/pop3/line-reader.js';
import { decodePlain } from '../../src/pop3/sasl-plain.js';
import { multiline, topOf } from '../../src/pop3/wire.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const s = (x: Buffer): string => x.toString('latin1');

describe('multiline (RFC 1939 §3 byte-stuffing)', () => {
  it('stuffs every line that starts with a dot, including the first and a lone dot', () => {
    expect(s(multiline(b('.first\r\nmid\r\n.\r\n..two\r\n')))).toBe('..first\r\nmid\r\n..\r\n...two\r\n.\r\n');
  });
  it('leaves dots elsewhere alone and keeps the bytes otherwise exact', () => {
    const raw = b('a.b\r\n x.\r\n\xe8\xff\x00\r\n');
    expect(s(multiline(raw))).toBe(`${s(raw)}.\r\n`);
  });
  it('adds CRLF before the terminator when the message does not end with one', () => {
    expect(s(multiline(b('x\r\nlast')))).toBe('x\r\nlast\r\n.\r\n');
    expect(s(multiline(b('ends in cr\r')))).toBe('ends in cr\r\r\n.\r\n');
    expect(s(multiline(b('')))).toBe('\r\n.\r\n');
  });
  it('also stuffs after a bare LF so an LF-splitting client never sees a lone dot', () => {
    expect(s(multiline(b('a\n.\nb\r\n')))).toBe('a\n..\nb\r\n.\r\n');
  });
});

describe('topOf', () => {
  const msg = b('Subject: x\r\nFrom: a@b\r\n\r\nline1\r\nline2\r\nline3');
  it('returns headers and the blank line for 0 lines', () => {
    expect(s(topOf(msg, 0))).toBe('Subject: x\r\nFrom: a@b\r\n\r\n');
  });
  it('returns exactly n body lines with their line ends', () => {
    expect(s(topOf(msg, 2))).toBe('Subject: x\r\nFrom: a@b\r\n\r\nline1\r\nline2\r\n');
  });
  it('returns the whole message when n exceeds the body', () => {
    expect(topOf(msg, 99).equals(msg)).toBe(true);
  });
  it('treats a message without a blank line as all header', () => {
    expect(s(topOf(b('Subject: only\r\nX: y\r\n'), 3))).toBe('Subject: only\r\nX: y\r\n');
  });
  it('handles an empty header section', () => {
    expect(s(topOf(b('\r\nbody1\r\nbody2\r\n'), 1))).toBe('\r\nbody1\r\n');
  });
});

describe('decodePlain (RFC 4616)', () => {
  const enc = (t: string): string => Buffer.from(t, 'utf8').toString('base64');
  it('decodes authzid, authcid and a password with spaces and UTF-8', () => {
    expect(decodePlain(enc('\0alice@pec.alfa.test\0pàss word'))).toEqual({ authzid: '', authcid: 'alice@pec.alfa.test', password: 'pàss word' });
    expect(decodePlain(enc('a\0a\0p'))).toEqual({ authzid: 'a', authcid: 'a', password: 'p' });
  });
  it('rejects malformed responses', () => {
    expect(decodePlain('')).toBeNull();
    expect(decodePlain('not base64!')).toBeNull();
    expect(decodePlain(enc('no-nul-at-all'))).toBeNull();
    expect(decodePlain(enc('\0\0pw'))).toBeNull();
    expect(decodePlain(enc('a\0b\0c\0d'))).toBeNull();
  });
});

describe('LineReader', () => {
  it('joins lines split across chunks and accepts bare LF', () => {
    const r = new LineReader(100);
    expect(r.push(b('US'))).toEqual([]);
    expect(r.push(b('ER a\r'))).toEqual([]);
    expect(r.push(b('\nSTAT\nLIST 1\r\n'))).toEqual([
      { kind: 'line', line: 'USER a' },
      { kind: 'line', line: 'STAT' },
      { kind: 'line', line: 'LIST 1' },
    ]);
  });
  it('reports overflow for a line over the limit, complete or not, and then reads nothing', () => {
    const r = new LineReader(8);
    expect(r.push(b('12345678\r\n'))).toEqual([{ kind: 'line', line: '12345678' }]);
    expect(r.push(b('OK\r\n123456789\r\nNEXT\r\n'))).toEqual([{ kind: 'line', line: 'OK' }, { kind: 'overflow' }]);
    expect(r.push(b('MORE\r\n'))).toEqual([]);
    const partial = new LineReader(8);
    expect(partial.push(b('1234567890'))).toEqual([{ kind: 'overflow' }]);
  });
});
