// The message a scenario's `send` step (and `tb.send` under a seed) submits, written byte by byte
// so that with a seed the same run submits the same bytes: Date from the virtual clock, Message-ID
// and MIME boundaries from the seeded source. A general mail library would add its own random ids
// and the real date.
import { domainOf } from '../../topology/formats.js';
import { base64Lines } from '../../pec/mime-entity.js';
import { rfc5322Date } from '../../pec/time.js';
import type { IdSource } from '../../pec/types.js';

const CRLF = '\r\n';

/** RFC 2047 for anything beyond printable ASCII; the Subject is what consumers correlate on */
function headerWord(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

/** what to write: a scenario's send step, or a `tb.send` request under a seed */
export interface ComposeInput {
  /** start of the generated Message-ID's local part (the scenario's send id) */
  id: string;
  from: string;
  to: string[];
  cc: string[];
  /** envelope only */
  bcc: string[];
  subject: string;
  text: string;
  /** with it the text becomes multipart/alternative (text, HTML) */
  html?: string;
  headers: Record<string, string>;
  tipoRicevuta?: 'completa' | 'breve' | 'sintetica';
  attachments: Array<{ filename: string; content: string | Buffer; contentType: string }>;
  raw?: string;
  envelope?: { from: string; to: string[] };
  /** the caller's own Message-ID, brackets included; drawn from the IdSource when absent */
  messageId?: string;
}

/** name and filename parameters; beyond plain ASCII (or with quotes) they are encoded, RFC 2047 / 2231 */
function fileParams(filename: string): { name: string; filename: string } {
  if (/^[\x20-\x7e]*$/.test(filename) && !/["\\]/.test(filename)) return { name: `name="${filename}"`, filename: `filename="${filename}"` };
  const pct = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return { name: `name="=?UTF-8?B?${Buffer.from(filename, 'utf8').toString('base64')}?="`, filename: `filename*=UTF-8''${pct}` };
}

export interface Composed {
  raw: Buffer;
  messageId: string;
  envelope: { from: string; to: string[] };
}

export function composeMessage(step: ComposeInput, at: number, ids: IdSource): Composed {
  if (step.raw !== undefined) {
    const raw = Buffer.from(step.raw.replace(/\r?\n/g, CRLF), 'utf8');
    const messageId = /^message-id:\s*(<[^>]*>)/im.exec(step.raw)?.[1] ?? '';
    return { raw, messageId, envelope: step.envelope! };
  }
  const messageId = step.messageId ?? `<${step.id}.${ids.token(12)}@${domainOf(step.from)}>`;
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
  let textPart = ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', base64Lines(Buffer.from(step.text, 'utf8'))];
  if (step.html !== undefined) {
    const alternative = `=_pec-testbed-alt-${ids.token(16)}`;
    textPart = [
      `Content-Type: multipart/alternative; boundary="${alternative}"`, '',
      `--${alternative}`, ...textPart,
      `--${alternative}`, 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64', '', base64Lines(Buffer.from(step.html, 'utf8')),
      `--${alternative}--`,
    ];
  }
  let body: string[];
  if (step.attachments.length === 0) {
    body = textPart;
  } else {
    const boundary = `=_pec-testbed-${ids.token(16)}`;
    body = [`Content-Type: multipart/mixed; boundary="${boundary}"`, '', 'This is a multi-part message in MIME format.'];
    body.push(`--${boundary}`, ...textPart);
    for (const a of step.attachments) {
      const params = fileParams(a.filename);
      body.push(
        `--${boundary}`,
        `Content-Type: ${a.contentType}; ${params.name}`,
        'Content-Transfer-Encoding: base64',
        `Content-Disposition: attachment; ${params.filename}`,
        '',
        base64Lines(Buffer.isBuffer(a.content) ? a.content : Buffer.from(a.content, 'utf8')),
      );
    }
    body.push(`--${boundary}--`);
  }
  const raw = Buffer.from([...head, ...body].join(CRLF) + CRLF, 'utf8');
  return { raw, messageId, envelope: step.envelope ?? { from: step.from, to: [...step.to, ...step.cc, ...step.bcc] } };
}
