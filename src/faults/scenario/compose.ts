// The message a scenario's `send` step submits, written byte by byte so that with a seed the same
// scenario submits the same bytes every run: Date from the virtual clock, Message-ID and MIME
// boundary from the seeded source. A general mail library would add its own random ids and the
// real date.
import { domainOf } from '../../topology/formats.js';
import { rfc5322Date } from '../../pec/time.js';
import type { IdSource } from '../../pec/types.js';
import type { SendStep } from './format.js';

const CRLF = '\r\n';

function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join(CRLF);
}

/** RFC 2047 for anything beyond printable ASCII; the Subject is what consumers correlate on */
function headerWord(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

export interface Composed {
  raw: Buffer;
  messageId: string;
  envelope: { from: string; to: string[] };
}

export function composeMessage(step: SendStep, at: number, ids: IdSource): Composed {
  if (step.raw !== undefined) {
    const raw = Buffer.from(step.raw.replace(/\r?\n/g, CRLF), 'utf8');
    const messageId = /^message-id:\s*(<[^>]*>)/im.exec(step.raw)?.[1] ?? '';
    return { raw, messageId, envelope: step.envelope! };
  }
  const messageId = `<${step.id}.${ids.token(12)}@${domainOf(step.from)}>`;
  const head = [
    `Date: ${rfc5322Date(at)}`,
    `From: ${step.from}`,
    `To: ${step.to.join(', ')}`,
    ...(step.cc.length ? [`Cc: ${step.cc.join(', ')}`] : []),
    `Subject: ${headerWord(step.subject)}`,
    `Message-ID: ${messageId}`,
    ...(step.tipoRicevuta ? [`X-TipoRicevuta: ${step.tipoRicevuta}`] : []),
    ...Object.entries(step.headers).map(([name, value]) => `${name}: ${headerWord(value)}`),
    'MIME-Version: 1.0',
  ];
  const textPart = ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', base64Lines(Buffer.from(step.text, 'utf8'))];
  let body: string[];
  if (step.attachments.length === 0) {
    body = textPart;
  } else {
    const boundary = `=_pec-testbed-${ids.token(16)}`;
    body = [`Content-Type: multipart/mixed; boundary="${boundary}"`, '', 'This is a multi-part message in MIME format.'];
    body.push(`--${boundary}`, ...textPart);
    for (const a of step.attachments) {
      body.push(
        `--${boundary}`,
        `Content-Type: ${a.contentType}; name="${a.filename}"`,
        'Content-Transfer-Encoding: base64',
        `Content-Disposition: attachment; filename="${a.filename}"`,
        '',
        base64Lines(Buffer.from(a.content, 'utf8')),
      );
    }
    body.push(`--${boundary}--`);
  }
  const raw = Buffer.from([...head, ...body].join(CRLF) + CRLF, 'utf8');
  return { raw, messageId, envelope: step.envelope ?? { from: step.from, to: [...step.to, ...step.cc, ...step.bcc] } };
}
