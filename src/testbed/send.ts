// Submitting a message as a user through the real punto di accesso: an SMTP client (nodemailer)
// to the submission port, STARTTLS with the testbed's CA, AUTH with the mailbox's password. The
// in-process API and the HTTP API both send this way, never by calling the engine, so what a test
// exercises is what an application pointed at the testbed gets.
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { detectMimeType } from 'nodemailer/lib/mime-funcs';
import { composeMessage } from '../faults/scenario/compose.js';
import { identificativoFromReply } from '../gestore/accesso.js';
import type { IdSource } from '../pec/types.js';
import type { ReceiptFlavour } from '../store/types.js';

export interface SendAttachment {
  filename: string;
  /** bytes, or text (UTF-8) */
  content: Buffer | string;
  contentType?: string;
}

export interface SendRequest {
  /** sender mailbox, also the SMTP login */
  from: string;
  /** default: the mailbox's password in the store */
  password?: string;
  to: string | string[];
  cc?: string | string[];
  /** the access point refuses Bcc (avviso di non accettazione): here to provoke it */
  bcc?: string | string[];
  subject?: string;
  text?: string;
  html?: string;
  /** X-TipoRicevuta: the flavour of the delivery receipts (default completa) */
  receipt?: ReceiptFlavour;
  /** the client's Message-ID (brackets optional); generated when absent */
  messageId?: string;
  /** the Date header; default now (the testbed's virtual clock when seeded) */
  date?: Date | string | number;
  headers?: Record<string, string>;
  attachments?: SendAttachment[];
}

export interface SendResult {
  /** the client Message-ID, brackets included: what receipts carry in X-Riferimento-Message-ID */
  messageId: string;
  /** assigned by the punto di accesso (from its 250 reply); null for ordinary-mail senders */
  identificativo: string | null;
  /** the SMTP 250 reply */
  response: string;
  accepted: string[];
}

/** the submission refused the message at the SMTP level (AUTH, MAIL FROM, size ...) */
export class SubmissionError extends Error {
  override readonly name = 'SubmissionError';
  constructor(
    message: string,
    /** SMTP reply code, when the server answered */
    readonly responseCode: number | null,
    readonly response: string | null,
  ) {
    super(message);
  }
}

/** the request cannot be sent as given (nothing was sent); `field` names the part at fault, e.g. `headers.X-A` */
export class SendRequestError extends TypeError {
  override readonly name = 'SendRequestError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SubmissionTarget {
  host: string;
  port: number;
  caPem: string;
  /** implicit TLS (the 2465 listener) instead of STARTTLS */
  secure?: boolean;
}

/**
 * A seeded testbed's source for what a mail library would make up: Message-ID and MIME boundaries
 * from `ids`, Date from the virtual clock. With it two runs submit the same bytes.
 */
export interface ReproducibleSource {
  ids: IdSource;
  now(): number;
}

const list = (value: string | string[] | undefined) => (value === undefined ? undefined : ([] as string[]).concat(value));

function dateMs(value: Date | string | number, field = 'date'): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  // NaN, or beyond what a Date holds (the header could not be written)
  if (Number.isNaN(new Date(ms).getTime())) throw new SendRequestError(field, `send: ${field} is not a date: ${String(value)}`);
  return ms;
}

/** `Nome <a@b>` and lists of them, as the envelope needs them: bare addresses */
const bareAddresses = (values: string[]) => values.flatMap((value) => addressparser(value, { flatten: true }).map((a) => a.address ?? '')).filter(Boolean);

const bracketed = (id: string) => (id.trim().startsWith('<') ? id.trim() : `<${id.trim()}>`);

// RFC 5322 §3.6.4 msg-id without the obsolete forms: dot-atom-text on the left, dot-atom-text or
// a domain literal on the right. Anything else (a line break, a space) would be dropped or
// rewritten by the mail library, and the receipts' X-Riferimento-Message-ID would not match it.
const ATOM = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+";
const DOT_ATOM = `${ATOM}(?:\\.${ATOM})*`;
const MSG_ID = new RegExp(`^<${DOT_ATOM}@(?:${DOT_ATOM}|\\[[\\x21-\\x5a\\x5e-\\x7e]*\\])>$`);
/** RFC 5322 §3.6.8 field-name: printable US-ASCII but ':' (the library would strip the rest) */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

function checkMessageId(value: string, field: string): void {
  if (!MSG_ID.test(bracketed(value))) {
    throw new SendRequestError(field, `${field} is not a Message-ID (RFC 5322 msg-id <left@right>, without spaces or line breaks): ${JSON.stringify(value)}`);
  }
}

/**
 * Refuses, with a SendRequestError naming the field, what the message could not carry as given:
 * a client Message-ID that is no msg-id, a header name that is no field name. Called before
 * anything is sent (the HTTP API answers 400 for it).
 */
function checkSendRequest(request: SendRequest): void {
  if (request.messageId !== undefined) checkMessageId(request.messageId, 'messageId');
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (!FIELD_NAME.test(name)) {
      throw new SendRequestError(`headers.${name}`, `header name ${JSON.stringify(name)} is not an RFC 5322 field name (printable ASCII, no spaces, no ':')`);
    }
    if (name.toLowerCase() === 'message-id') checkMessageId(value, `headers.${name}`);
  }
}

/**
 * The request as the scenario runner's composer writes it (the same bytes for the same seed).
 * Date and Message-ID given as headers count as the caller's own, as they do for nodemailer.
 */
function composeReproducibly(request: SendRequest, source: ReproducibleSource) {
  const headers: Record<string, string> = {};
  let messageId = request.messageId === undefined ? undefined : bracketed(request.messageId);
  let date = request.date === undefined ? undefined : dateMs(request.date);
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    const key = name.toLowerCase();
    if (key === 'message-id') messageId ??= bracketed(value);
    else if (key === 'date') date ??= dateMs(value, `headers.${name}`);
    else if (key === 'x-tiporicevuta' && request.receipt) continue;
    else headers[name] = value;
  }
  const to = list(request.to) ?? [];
  const cc = list(request.cc) ?? [];
  const bcc = list(request.bcc) ?? [];
  return composeMessage({
    id: 'send', from: request.from, to, cc, bcc,
    subject: request.subject ?? '', text: request.text ?? '', html: request.html, headers, tipoRicevuta: request.receipt,
    attachments: (request.attachments ?? []).map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType ?? detectMimeType(a.filename) })),
    messageId,
    envelope: { from: bareAddresses([request.from])[0] ?? request.from, to: bareAddresses([...to, ...cc, ...bcc]) },
  }, date ?? source.now(), source.ids);
}

/** without `reproducible`, nodemailer writes the message (its own random ids, the real date) */
export async function submitAs(target: SubmissionTarget, password: string, request: SendRequest, reproducible?: ReproducibleSource): Promise<SendResult> {
  // Before the first await, so concurrent sends draw from the seed in call order; and before the
  // transport, so a bad date or header is the caller's error and not a refused submission.
  checkSendRequest(request);
  const composed = reproducible ? composeReproducibly(request, reproducible) : null;
  // the composer read the date already; nodemailer needs it only when it writes the message
  const date = composed || request.date === undefined ? undefined : new Date(dateMs(request.date));
  const transport = nodemailer.createTransport({
    host: target.host,
    port: target.port,
    secure: target.secure ?? false,
    requireTLS: true,
    auth: { user: request.from, pass: password },
    tls: { ca: target.caPem },
  });
  const headers: Record<string, string> = { ...(request.headers ?? {}) };
  if (request.receipt) headers['X-TipoRicevuta'] = request.receipt;
  try {
    const info = composed
      ? await transport.sendMail({ envelope: composed.envelope, raw: composed.raw })
      : await transport.sendMail({
        from: request.from,
        to: list(request.to),
        cc: list(request.cc),
        bcc: list(request.bcc),
        subject: request.subject ?? '',
        text: request.text ?? '',
        html: request.html,
        messageId: request.messageId === undefined ? undefined : bracketed(request.messageId),
        date,
        headers,
        attachments: request.attachments?.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
      });
    return {
      messageId: composed?.messageId ?? info.messageId,
      identificativo: identificativoFromReply(info.response),
      response: info.response,
      accepted: (info.accepted as Array<string | { address: string }>).map((a) => (typeof a === 'string' ? a : a.address)),
    };
  } catch (error) {
    const e = error as { responseCode?: number; response?: string; message: string };
    throw new SubmissionError(`submission refused: ${e.response ?? e.message}`, e.responseCode ?? null, e.response ?? null);
  } finally {
    transport.close();
  }
}
