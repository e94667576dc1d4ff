// The pure pieces under the server, on the edge cases real mailboxes contain: LF-only messages,
// missing close delimiters, boundary look-alikes, nested messages, folded headers, odd address
// lists, modified UTF-7 (RFC 3501's own example) and sequence sets.

import { describe, expect, it } from 'vitest';
import { parseAddressList } from '../../src/imap/mime/address.js';
import { decodeWords } from '../../src/imap/mime/header.js';
import { parseMessage, resolveSection, sectionRange } from '../../src/imap/mime/structure.js';
import { decodeMailboxName, encodeMailboxName, listMatcher } from '../../src/imap/mailbox-names.js';
import { compactSet, parseSequenceSet } from '../../src/imap/sequence-set.js';

function section(raw: Buffer, path: number[], spec: '' | 'HEADER' | 'TEXT' | 'MIME' = ''): string | null {
  const target = resolveSection(parseMessage(raw), path, spec);
  if (!target) return null;
  const [a, b] = sectionRange(target);
  return raw.subarray(a, b).toString('latin1');
}

describe('MIME structure', () => {
  it('splits LF-only multiparts, ignores preamble and epilogue, and tolerates a missing close', () => {
    const raw = Buffer.from(
      'Content-Type: multipart/mixed; boundary=b\n\npreamble\n--b\nContent-Type: text/plain\n\none\n--b-not-a-delimiter\n--b \t\n\ntwo\n--b--\nepilogue\n',
    );
    expect(section(raw, [1])).toBe('one\n--b-not-a-delimiter');
    expect(section(raw, [2])).toBe('two');
    expect(section(raw, [2], 'MIME')).toBe('\n');
    expect(section(raw, [3])).toBeNull();
    const open = Buffer.from('Content-Type: multipart/mixed; boundary="x y"\r\n\r\n--x y\r\n\r\nA\r\n--x y\r\n\r\nB tail');
    expect(section(open, [2])).toBe('B tail');
  });

  it('numbers parts inside message/rfc822, single-part and multipart alike', () => {
    const inner = 'Subject: inner\r\nContent-Type: text/plain\r\n\r\nbody of inner';
    const raw = Buffer.from(
      'Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\nfirst\r\n' +
        `--o\r\nContent-Type: message/rfc822\r\n\r\n${inner}\r\n--o--\r\n`,
    );
    expect(section(raw, [2])).toBe(inner);
    expect(section(raw, [2], 'HEADER')).toBe('Subject: inner\r\nContent-Type: text/plain\r\n\r\n');
    expect(section(raw, [2], 'TEXT')).toBe('body of inner');
    expect(section(raw, [2, 1])).toBe('body of inner');
    expect(section(raw, [2], 'MIME')).toBe('Content-Type: message/rfc822\r\n\r\n');
    expect(section(raw, [1], 'HEADER')).toBeNull(); // HEADER only names a message
    // a non-multipart message: part 1 is its body
    const single = Buffer.from('Subject: s\r\n\r\nonly body');
    expect(section(single, [1])).toBe('only body');
    expect(section(single, [], 'TEXT')).toBe('only body');
    expect(section(single, [1, 1])).toBeNull();
  });

  it('a base64 message/rfc822 stays opaque instead of being parsed', () => {
    const raw = Buffer.from('Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nU3ViamVjdDogeA0KDQp5');
    expect(parseMessage(raw).message).toBeNull();
  });
});

describe('headers and addresses', () => {
  it('decodes RFC 2047 words, joining adjacent ones', () => {
    expect(decodeWords('=?utf-8?q?Fattura_n=2E_42_=E2=82=AC?=')).toBe('Fattura n. 42 €');
    expect(decodeWords('=?iso-8859-1?b?6A==?= =?utf-8?b?w6A=?= fine')).toBe('èà fine');
  });

  it('parses names, quoted commas, comments, groups and bare addresses', () => {
    const list = parseAddressList('"Rossi, Mario" <mario@pec.beta.test>, (nota) anna@x.test, Ufficio: a@b.test, c@d.test;, <e@f.test>');
    expect(list).toEqual([
      { kind: 'mailbox', name: 'Rossi, Mario', mailbox: 'mario', host: 'pec.beta.test' },
      { kind: 'mailbox', name: 'nota', mailbox: 'anna', host: 'x.test' },
      { kind: 'group-start', name: 'Ufficio' },
      { kind: 'mailbox', name: null, mailbox: 'a', host: 'b.test' },
      { kind: 'mailbox', name: null, mailbox: 'c', host: 'd.test' },
      { kind: 'group-end' },
      { kind: 'mailbox', name: null, mailbox: 'e', host: 'f.test' },
    ]);
  });
});

describe('names and sets', () => {
  it('encodes mailbox names in modified UTF-7 (RFC 3501 §5.1.3 example) and back', () => {
    expect(encodeMailboxName('~peter/mail/台北/日本語')).toBe('~peter/mail/&U,BTFw-/&ZeVnLIqe-');
    expect(decodeMailboxName('~peter/mail/&U,BTFw-/&ZeVnLIqe-')).toBe('~peter/mail/台北/日本語');
    expect(encodeMailboxName('A&B')).toBe('A&-B');
    expect(decodeMailboxName('inbox/Sub')).toBe('INBOX/Sub');
    expect(decodeMailboxName('&Jjo!')).toBeNull();
  });

  it('matches LIST patterns with * and %', () => {
    expect(listMatcher('', '%')('Archivio/2024')).toBe(false);
    expect(listMatcher('', '*')('Archivio/2024')).toBe(true);
    expect(listMatcher('Archivio/', '%')('Archivio/2024')).toBe(true);
    expect(listMatcher('', 'inbox')('INBOX')).toBe(true);
  });

  it('parses sequence sets with * and compacts UID lists', () => {
    expect(parseSequenceSet('1:3,7,9:*', 12)).toEqual([[1, 3], [7, 7], [9, 12]]);
    expect(parseSequenceSet('*:4', 2)).toEqual([[2, 4]]);
    expect(parseSequenceSet('0', 5)).toBeNull();
    expect(parseSequenceSet('1,,2', 5)).toBeNull();
    expect(compactSet([1, 2, 3, 5, 7, 8])).toBe('1:3,5,7:8');
  });
});
