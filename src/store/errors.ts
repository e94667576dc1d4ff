// The one error type the store throws for caller mistakes and missing things, with a code that
// protocol servers map to a NO/4xx/5xx answer instead of treating it as a crash.

export type StoreErrorCode = 'NOT_FOUND' | 'EXISTS' | 'INVALID' | 'QUOTA';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}
