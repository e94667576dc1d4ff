// Failures a command reports to the client: NO (the operation failed) or BAD (the request was
// wrong), with an RFC 5530 response code; store errors are translated, never leaked as crashes.

import { isStoreError } from '../store/errors.js';

export class ImapError extends Error {
  constructor(
    readonly status: 'NO' | 'BAD',
    text: string,
    readonly code?: string,
  ) {
    super(text);
  }
}

export const no = (text: string, code?: string): ImapError => new ImapError('NO', text, code);
export const bad = (text: string, code?: string): ImapError => new ImapError('BAD', text, code);

export function fromStoreError(err: unknown): ImapError | null {
  if (!isStoreError(err)) return null;
  switch (err.code) {
    case 'NOT_FOUND':
      return no(err.message, 'NONEXISTENT');
    case 'EXISTS':
      return no(err.message, 'ALREADYEXISTS');
    case 'QUOTA':
      return no(err.message, 'OVERQUOTA');
    case 'INVALID':
      return no(err.message, 'CANNOT');
  }
}
