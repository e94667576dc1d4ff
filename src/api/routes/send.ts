// Sending as a user over HTTP: the JSON becomes a real SMTP submission to the punto di accesso
// (STARTTLS, AUTH), exactly as an application would send; the answer carries the identificativo.
// What the message could not carry as given (a Message-ID that is no msg-id, a header name that
// is no field name, an attachment that is not base64) is a 400: nothing is sent half-right.
import { SendRequestError, SubmissionError, type SendRequest } from '../../testbed/send.js';
import type { Testbed } from '../../testbed/testbed.js';
import { HttpError, badRequest } from '../errors.js';
import type { Routes } from '../route.js';
import { isBase64 } from '../schema.js';
import { addresses, email, errors } from '../shapes.js';

interface AttachmentJson {
  filename: string;
  contentType?: string;
  content: string;
  encoding: 'base64' | 'utf8';
}

function attachmentBytes(attachment: AttachmentJson, index: number): Buffer {
  if (attachment.encoding === 'utf8') return Buffer.from(attachment.content, 'utf8');
  // checked here, not by the schema's `byte` format: with encoding "utf8" the content is text
  if (!isBase64(attachment.content)) {
    throw badRequest(`attachments[${index}].content`, `attachments[${index}].content is not base64 (RFC 4648, padded with =; give encoding "utf8" for text)`);
  }
  return Buffer.from(attachment.content, 'base64');
}

export const sendBody = {
  type: 'object' as const,
  required: ['from', 'to'],
  properties: {
    from: { ...email, description: 'sender mailbox, also the SMTP login' },
    password: { type: 'string' as const, maxLength: 200, description: "default: the mailbox's password" },
    to: addresses,
    cc: addresses,
    bcc: { ...addresses, description: 'the access point refuses Bcc: use it to provoke an avviso di non accettazione' },
    subject: { type: 'string' as const, maxLength: 998, default: '' },
    text: { type: 'string' as const, maxLength: 10_000_000 },
    html: { type: 'string' as const, maxLength: 10_000_000 },
    receipt: { type: 'string' as const, enum: ['completa', 'breve', 'sintetica'], description: 'X-TipoRicevuta' },
    messageId: { type: 'string' as const, maxLength: 998, description: 'client Message-ID, an RFC 5322 msg-id (`left@right`, brackets optional, no spaces or line breaks); generated when absent' },
    headers: { type: 'object' as const, description: 'extra header fields; names are RFC 5322 field names (printable ASCII, no spaces, no `:`)', additionalProperties: { type: 'string' as const, maxLength: 998 } },
    attachments: {
      type: 'array' as const,
      maxItems: 100,
      items: {
        type: 'object' as const,
        required: ['filename', 'content'],
        properties: {
          filename: { type: 'string' as const, minLength: 1, maxLength: 255 },
          contentType: { type: 'string' as const, maxLength: 255, pattern: '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$' },
          content: { type: 'string' as const, description: 'base64 (default; RFC 4648 with padding, line breaks allowed) or text, see encoding' },
          encoding: { type: 'string' as const, enum: ['base64', 'utf8'], default: 'base64' },
        },
      },
    },
  },
};

export function sendRoutes(routes: Routes, tb: Testbed): void {
  routes.add({
    method: 'post', path: '/send', tag: 'send',
    summary: 'submit a message as a user through the real punto di accesso (SMTP submission, STARTTLS, AUTH)',
    body: sendBody,
    responses: {
      200: {
        description: 'accepted for processing by the punto di accesso',
        schema: {
          type: 'object',
          properties: {
            messageId: { type: 'string', description: 'the client Message-ID (X-Riferimento-Message-ID of the receipts)' },
            identificativo: { type: 'string', nullable: true },
            response: { type: 'string', description: 'the SMTP reply' },
            accepted: { type: 'array', items: { type: 'string' } },
          },
        },
      },
      ...errors(400, 415, 422),
    },
  }, async ({ body }) => {
    const from = String(body.from).trim().toLowerCase();
    const password = body.password ?? tb.store.getAccount(from)?.password;
    if (password === undefined) throw badRequest('from', `no mailbox ${from}: create it first (POST /api/v1/mailboxes) or give its password`);
    const request: SendRequest = {
      ...body,
      from,
      password,
      attachments: (body.attachments ?? []).map((a: AttachmentJson, i: number) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: attachmentBytes(a, i),
      })),
    };
    try {
      // tb.send checks the request (checkSendRequest) before it sends anything
      return await tb.send(request);
    } catch (error) {
      if (error instanceof SendRequestError) throw badRequest(error.field, error.message);
      if (error instanceof SubmissionError) {
        throw new HttpError(422, 'submission_refused', error.message, undefined, { smtp: { code: error.responseCode, response: error.response } });
      }
      throw error;
    }
  });
}
