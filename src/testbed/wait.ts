// Waiting for messages without sleeping: a waiter re-runs its query only when the store reports a
// new message (store.onChange 'exists'), so a test or an HTTP long-poll wakes within the same
// event-loop turn as the commit that stored the receipt, and never polls.
import { parseDuration } from '../clock/clock.js';
import type { MessageHit, Store } from '../store/types.js';
import { toStoreQuery, type MessageFilter } from './messages.js';

export interface WaitQuery extends MessageFilter {
  /** how many matching messages must exist (default 1) */
  count?: number;
  /** real time to wait: ms or a duration like '5s' (default 10 s) */
  timeout?: number | string;
  signal?: AbortSignal;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 10_000;

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  constructor(
    readonly query: Omit<WaitQuery, 'signal'>,
    /** what matched when time ran out (fewer than `count`) */
    readonly found: MessageHit[],
    readonly timeoutMs: number,
  ) {
    const { signal: _ignored, ...shown } = query as WaitQuery;
    super(`waitFor timed out after ${timeoutMs} ms: ${found.length} of ${query.count ?? 1} message(s) matching ${JSON.stringify(shown)}`);
  }
}

export function timeoutMs(timeout: number | string | undefined): number {
  if (timeout === undefined) return DEFAULT_WAIT_TIMEOUT_MS;
  const ms = typeof timeout === 'number' ? timeout : parseDuration(timeout);
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`timeout must be a duration >= 0, got ${String(timeout)}`);
  return ms;
}

let active = 0;

/** waits currently pending in this process (for benchmarks and diagnostics) */
export function pendingWaits(): number {
  return active;
}

/** Resolves with the first `count` matching messages (oldest first) once they exist. */
export function waitForMessages(store: Store, query: WaitQuery): Promise<MessageHit[]> {
  const count = query.count ?? 1;
  if (!Number.isSafeInteger(count) || count < 1) return Promise.reject(new RangeError(`count must be an integer >= 1, got ${count}`));
  let ms: number;
  let storeQuery: ReturnType<typeof toStoreQuery>;
  try {
    ms = timeoutMs(query.timeout);
    storeQuery = { ...toStoreQuery(query), limit: count, offset: undefined };
  } catch (error) {
    return Promise.reject(error);
  }
  const look = () => store.findMessages(storeQuery);
  const first = look();
  if (first.length >= count) return Promise.resolve(first);
  if (query.signal?.aborted) return Promise.reject(query.signal.reason);

  return new Promise((resolve, reject) => {
    let scheduled = false;
    active++;
    const finish = () => {
      active--;
      unsubscribe();
      clearTimeout(timer);
      query.signal?.removeEventListener('abort', onAbort);
    };
    // Several messages of one transaction arrive as several events: look once per burst.
    const unsubscribe = store.onChange((address, change) => {
      if (change.type !== 'exists' || scheduled) return;
      if (storeQuery.address !== undefined && address !== storeQuery.address) return;
      scheduled = true;
      queueMicrotask(() => {
        scheduled = false;
        try {
          const found = look();
          if (found.length >= count) {
            finish();
            resolve(found);
          }
        } catch (error) {
          finish();
          reject(error);
        }
      });
    });
    const timer = setTimeout(() => {
      finish();
      // the store may be closed by now (testbed stopped): report the timeout all the same
      let found: MessageHit[] = [];
      try {
        found = look();
      } catch {
        // keep found empty
      }
      reject(new WaitTimeoutError(query, found, ms));
    }, ms);
    const onAbort = () => {
      finish();
      reject(query.signal!.reason);
    };
    query.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
