// Schemas shared by several routes: the message filters, the error body, the message summary.
// They document responses in the OpenAPI document and validate the inputs that use them.
import type { ResponseSpec } from './route.js';
import type { Schema } from './schema.js';

export const email: Schema = { type: 'string', format: 'email', maxLength: 320 };
export const addresses: Schema = { anyOf: [email, { type: 'array', items: email, minItems: 1, maxItems: 100 }] };

export const errorSchema: Schema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'machine-readable code: bad_request, not_found, method_not_allowed, conflict, unauthorized, internal, ...' },
    message: { type: 'string' },
    field: { type: 'string', description: 'the request field (query parameter, body path, header) at fault' },
  },
  additionalProperties: true,
};

export const errors = (...statuses: number[]): Record<string, ResponseSpec> =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: ERROR_TEXT[s] ?? 'error', schema: errorSchema }]));

const ERROR_TEXT: Record<number, string> = {
  400: 'bad input; `field` names it',
  401: 'token required',
  404: 'unknown id',
  408: 'timed out waiting',
  409: 'conflicts with what exists',
  413: 'body too large',
  415: 'body is not JSON',
  422: 'the punto di accesso refused the submission',
  501: 'not available in this build',
};

export const messageSummarySchema: Schema = {
  type: 'object',
  properties: {
    id: { type: 'integer', description: 'store-wide id' },
    mailbox: email,
    folder: { type: 'string' },
    uid: { type: 'integer' },
    flags: { type: 'array', items: { type: 'string' } },
    seen: { type: 'boolean' },
    internalDate: { type: 'string', format: 'date-time', description: 'stored at (virtual clock)' },
    size: { type: 'integer' },
    kind: { type: 'string', nullable: true, description: 'accettazione, posta-certificata, presa-in-carico, avvenuta-consegna, errore-consegna, preavviso-errore-consegna, anomalia, ...; null for ordinary mail' },
    refMessageId: { type: 'string', nullable: true, description: 'X-Riferimento-Message-ID' },
    identificativo: { type: 'string', nullable: true },
    messageId: { type: 'string', nullable: true },
    subject: { type: 'string', nullable: true },
    from: { type: 'string', nullable: true },
  },
};

/** the filters of message listings and of the wait endpoint (src/testbed/messages.ts MessageFilter) */
export const messageFilterQuery: Record<string, Schema> = {
  folder: { type: 'string', maxLength: 200, description: 'folder name, e.g. INBOX' },
  kind: { type: 'string', maxLength: 64, description: 'PEC kind as indexed (see MessageSummary.kind)' },
  msgid: { type: 'string', maxLength: 998, description: "the client's Message-ID (X-Riferimento-Message-ID); brackets optional" },
  identificativo: { type: 'string', maxLength: 998 },
  subject: { type: 'string', maxLength: 998, description: 'case-insensitive substring' },
  since: { type: 'string', format: 'date-time', description: 'stored at or after (ISO 8601 or ms)' },
};

export const pagingQuery: Record<string, Schema> = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  offset: { type: 'integer', minimum: 0, default: 0 },
};

export const messagePage: Schema = {
  type: 'object',
  properties: {
    messages: { type: 'array', items: messageSummarySchema },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
    next: { type: 'integer', nullable: true, description: 'offset of the next page, null on the last' },
  },
};

export const anyObject: Schema = { type: 'object', additionalProperties: true };
