// ENVELOPE, BODY and BODYSTRUCTURE (RFC 3501 §7.4.2) computed from the byte-range MIME tree.
// Header strings go out as the raw bytes the message carries: decoding encoded-words is the
// client's job, and a faithful server must not normalise what a PEC verifier will compare.

import { Adjacent, bytesString, type Wire } from '../wire.js';
import { parseAddressList } from './address.js';
import { headerValue, parseParams, type HeaderField } from './header.js';
import { isEncapsulated, type MimeEntity } from './structure.js';

const nstring = (value: string | undefined): Wire => (value === undefined ? null : bytesString(value));

function addressList(fields: HeaderField[], key: string): Wire {
  const value = headerValue(fields, key);
  if (value === undefined || value.trim() === '') return null;
  const list: Wire[] = parseAddressList(value).map((a) => {
    if (a.kind === 'group-start') return [null, null, bytesString(a.name), null];
    if (a.kind === 'group-end') return [null, null, null, null];
    return [a.name === null ? null : bytesString(a.name), null, bytesString(a.mailbox), a.host === null ? null : bytesString(a.host)];
  });
  return list.length ? new Adjacent(list) : null;
}

export function envelope(fields: HeaderField[]): Wire {
  const from = addressList(fields, 'from');
  const sender = addressList(fields, 'sender') ?? from;
  const replyTo = addressList(fields, 'reply-to') ?? from;
  return [
    nstring(headerValue(fields, 'date')),
    nstring(headerValue(fields, 'subject')),
    from,
    sender,
    replyTo,
    addressList(fields, 'to'),
    addressList(fields, 'cc'),
    addressList(fields, 'bcc'),
    nstring(headerValue(fields, 'in-reply-to')),
    nstring(headerValue(fields, 'message-id')),
  ];
}

function paramList(params: Array<[string, string]>): Wire {
  if (params.length === 0) return null;
  return params.flatMap(([k, v]) => [bytesString(k), bytesString(v)]);
}

function disposition(fields: HeaderField[]): Wire {
  const value = headerValue(fields, 'content-disposition');
  if (!value) return null;
  const parsed = parseParams(value);
  if (!parsed.value) return null;
  return [bytesString(parsed.value), paramList(parsed.params)];
}

function language(fields: HeaderField[]): Wire {
  const value = headerValue(fields, 'content-language');
  if (!value) return null;
  const tags = value.split(',').map((s) => s.trim()).filter(Boolean);
  return tags.length ? tags.map(bytesString) : null;
}

/** number of lines of a body, as clients expect for text/* and message/rfc822 */
function lineCount(raw: Buffer, start: number, end: number): number {
  if (end <= start) return 0;
  let lines = 0;
  let pos = raw.indexOf(0x0a, start);
  while (pos !== -1 && pos < end) {
    lines++;
    pos = raw.indexOf(0x0a, pos + 1);
  }
  if (raw[end - 1] !== 0x0a) lines++;
  return lines;
}

/** BODYSTRUCTURE when `extended`, else BODY */
export function bodyStructure(raw: Buffer, entity: MimeEntity, extended: boolean): Wire {
  if (entity.type === 'multipart') {
    const bodies = entity.children.map((child) => bodyStructure(raw, child, extended));
    // a multipart without parts still needs one body to be parseable
    if (bodies.length === 0) bodies.push(emptyTextPart(extended));
    const rest: Wire[] = [bytesString(entity.subtype.toUpperCase())];
    if (extended) {
      rest.push(paramList(entity.params), disposition(entity.fields), language(entity.fields), nstring(headerValue(entity.fields, 'content-location')));
    }
    return new Adjacent(bodies, rest);
  }
  const size = entity.bodyEnd - entity.bodyStart;
  const basic: Wire[] = [
    bytesString(entity.type.toUpperCase()),
    bytesString(entity.subtype.toUpperCase()),
    paramList(entity.params),
    nstring(headerValue(entity.fields, 'content-id')),
    nstring(headerValue(entity.fields, 'content-description')),
    bytesString(entity.encoding.toUpperCase()),
    size,
  ];
  if (entity.type === 'text') {
    basic.push(lineCount(raw, entity.bodyStart, entity.bodyEnd));
  } else if (entity.type === 'message' && entity.subtype === 'rfc822') {
    // the grammar requires envelope, body and lines; an opaque (e.g. base64) one gets empty ones
    const inner = isEncapsulated(entity) ? entity.message : null;
    basic.push(
      envelope(inner?.fields ?? []),
      inner ? bodyStructure(raw, inner, extended) : emptyTextPart(extended),
      lineCount(raw, entity.bodyStart, entity.bodyEnd),
    );
  }
  if (extended) {
    basic.push(nstring(headerValue(entity.fields, 'content-md5')), disposition(entity.fields), language(entity.fields), nstring(headerValue(entity.fields, 'content-location')));
  }
  return basic;
}

function emptyTextPart(extended: boolean): Wire {
  const part: Wire[] = ['TEXT', 'PLAIN', ['CHARSET', 'US-ASCII'], null, null, '7BIT', 0, 0];
  if (extended) part.push(null, null, null, null);
  return part;
}

