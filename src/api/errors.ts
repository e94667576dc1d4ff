// How the API says no: every failure is JSON `{ error, message, field? }` with a 4xx/5xx status,
// so a test (or curl) always learns which field was wrong. Store and body-parser errors are
// translated here, in one place. A client's mistake is an HttpError (or a SchemaError) thrown where
// the input is read; anything else that escapes a handler is the server's fault and a 500, even a
// RangeError: "Invalid time value" or a stack overflow deep inside says nothing about the request.
import type { ErrorRequestHandler } from 'express';
import { isStoreError } from '../store/errors.js';
import { SchemaError } from './schema.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const badRequest = (field: string, message: string) => new HttpError(400, 'bad_request', message, field);
export const notFound = (message: string) => new HttpError(404, 'not_found', message);
export const conflict = (field: string, message: string) => new HttpError(409, 'conflict', message, field);
export const methodNotAllowed = (method: string, path: string, allow: readonly string[]) =>
  new HttpError(405, 'method_not_allowed', `${method} is not served on ${path} (allowed: ${allow.join(', ')})`, undefined, { allow });

export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
  [extra: string]: unknown;
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof SchemaError) return badRequest(err.field, err.message);
  if (isStoreError(err)) {
    const status = { NOT_FOUND: 404, EXISTS: 409, INVALID: 400, QUOTA: 409 }[err.code];
    return new HttpError(status, err.code.toLowerCase(), err.message);
  }
  const e = err as { type?: string; status?: number; message?: string; limit?: number };
  if (e?.type === 'entity.parse.failed') return new HttpError(400, 'bad_request', `request body is not valid JSON: ${e.message}`, 'body');
  if (e?.type === 'entity.too.large') return new HttpError(413, 'too_large', `request body larger than ${e.limit} bytes`, 'body');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new HttpError(415, 'unsupported_media_type', e.message ?? 'unsupported encoding', 'body');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new HttpError(e.status, 'bad_request', e.message ?? 'bad request');
  // the message only: the stack goes to the server's warning, not to the client
  return new HttpError(500, 'internal', `internal error: ${(err as Error)?.message ?? String(err)}`);
}

export function errorBody(error: HttpError): ErrorBody {
  const body: ErrorBody = { error: error.code, message: error.message, ...error.extra };
  if (error.field !== undefined) body.field = error.field;
  return body;
}

/** The last middleware of the API: JSON for every error. */
export const jsonErrors: ErrorRequestHandler = (err, _req, res, next) => {
  if (res.headersSent) return next(err);
  const error = toHttpError(err);
  if (error.status >= 500) process.emitWarning(`pec-testbed API: ${(err as Error)?.stack ?? String(err)}`, { code: 'PEC_TESTBED_API' });
  res.status(error.status).json(errorBody(error));
};
