// Submitting a message as a user through the real punto di accesso: an SMTP client (nodemailer)
// to the submission port, STARTTLS with the testbed's CA, AUTH with the mailbox's password. The
// in-process API and the HTTP API both send this way, never by calling the engine, so what a test
// exercises is what an application pointed at the testbed gets.
import nodemailer from 'nodemailer';
import { identificativoFromReply } from '../gestore/accesso.js';
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

export interface SubmissionTarget {
  host: string;
  port: number;
  caPem: string;
  /** implicit TLS (the 2465 listener) instead of STARTTLS */
  secure?: boolean;
}

const list = (value: string | string[] | undefined) => (value === undefined ? undefined : ([] as string[]).concat(value));

export async function submitAs(target: SubmissionTarget, password: string, request: SendRequest): Promise<SendResult> {
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
  const messageId = request.messageId === undefined ? undefined : request.messageId.trim().startsWith('<') ? request.messageId.trim() : `<${request.messageId.trim()}>`;
  try {
    const info = await transport.sendMail({
      from: request.from,
      to: list(request.to),
      cc: list(request.cc),
      bcc: list(request.bcc),
      subject: request.subject ?? '',
      text: request.text ?? '',
      html: request.html,
      messageId,
      headers,
      attachments: request.attachments?.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
    });
    return {
      messageId: info.messageId,
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
