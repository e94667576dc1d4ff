// Writing the header fields of provider-generated messages: RFC 2047 subjects that keep the PEC
// prefix literal and fold within the line limits, address fields, and raw fields copied from the
// original. Every value passes through here so that no CR or LF from user data can ever start a
// header of its own. Output strings are Latin-1 (one char per byte): copied 8-bit bytes survive.

import MimeNode from 'nodemailer/lib/mime-node';
import { encodeWord, encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';

const CRLF = '\r\n';

// encodeHeaderValue reads nothing of the node but its options; the static form builds a node
// per call, and a node's constructor draws random bytes for a boundary it never uses here.
const headerEncoder = new MimeNode(false);

/** One folded header field, terminated by CRLF. `value` must already be encoded (ASCII, no line breaks). */
export function field(name: string, value: string): string {
  if (!/^[!-9;-~]+$/.test(name)) throw new Error(`not a header field name: ${JSON.stringify(name)}`);
  return foldLines(`${name}: ${value.replace(/[\r\n]+/g, ' ')}`, 76) + CRLF;
}

/** Q for mostly-Latin text (readable on the wire), B otherwise (shorter): the choice MimeNode makes too. */
function wordEncoding(text: string): 'Q' | 'B' {
  const special = (text.match(/[^\x20-\x7e]/g) ?? []).length;
  const letters = (text.match(/[A-Za-z]/g) ?? []).length;
  return special < letters ? 'Q' : 'B';
}

/**
 * `Subject: <prefix><subject>`: the prefix stays literal (consumers match it on the raw header).
 * When the subject's plain parts are safe, only the stretch from the first to the last word that
 * needs it is RFC 2047-encoded, so ASCII tokens such as `#123` around it stay readable on the
 * wire. Whitespace that unfolding could alter (tabs, runs of spaces, leading / trailing blanks),
 * text that looks like an encoded-word, control characters and 900+ character runs make the whole
 * subject one series of encoded-words instead, which decodes back exactly. CR / LF become spaces.
 */
export function subjectField(prefix: string, subject: string): string {
  const text = subject.replace(/\r\n|[\r\n]/g, ' ');
  let encoded = text;
  if (text !== '') {
    const whole = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]| {2}|^\s|\s$|=\?|[^\s]{900,}/.test(text);
    encoded = whole ? encodeWord(text, wordEncoding(text), 52) : encodeWords(text, wordEncoding(text), 52, false);
  }
  return field('Subject', prefix + encoded);
}

export interface AddressValue {
  name?: string;
  address: string;
}

/** An address field: display names quoted or RFC 2047-encoded as needed. */
export function addressField(name: string, value: AddressValue | AddressValue[]): string {
  const list = (Array.isArray(value) ? value : [value]).map((v) => ({ name: v.name ?? '', address: v.address }));
  return field(name, headerEncoder.encodeHeaderValue(name, list));
}

/**
 * A field copied from the original as written (its folding kept, line breaks made CRLF). A line
 * break not followed by a blank would start a new field: such a value is unfolded instead.
 */
export function rawField(name: string, rawValue: string): string {
  if (!/^[!-9;-~]+$/.test(name)) throw new Error(`not a header field name: ${JSON.stringify(name)}`);
  let value = rawValue.replace(/\r?\n|\r/g, CRLF).replace(/(\r\n)+$/, '');
  // a break not followed by a blank, or a blank-only line, could end the field or the header
  if (/\r\n(?![ \t])|\r\n[ \t]*(\r\n|$)/.test(value)) value = value.replace(/\r\n(?=[ \t])/g, '').replace(/\r\n/g, ' ');
  return `${name}: ${value}${CRLF}`;
}
