// The SMTP client every gestore uses to hand messages to the next hop (another gestore's punto
// di ricezione, an ordinary-mail MX). Provider-to-provider traffic always crosses a real socket.
// The SMTP conversation itself runs on a worker thread (relay-host.ts); this module decides what
// its outcome means for the engine: accepted, refused for good, or to be retried.
import { startRelayHost, type RelayHostError } from './relay-host.js';

export interface RelayTarget {
  host: string;
  port: number;
}

export interface RelayRequest {
  target: RelayTarget;
  from: string;
  to: string[];
  raw: Buffer;
}

export interface RelayOutcome {
  accepted: string[];
  /** recipients refused with a permanent (5xx) reply, with that reply */
  rejected: Array<{ address: string; code: number; response: string }>;
}

/** a failure that should be retried later (connection refused, 4xx, timeout) */
export class TransientRelayError extends Error {}

/** the whole message was refused for good (5xx at MAIL or DATA) */
export class PermanentRelayError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export interface RelayClient {
  send(request: RelayRequest): Promise<RelayOutcome>;
  close(): void;
}

export function createRelayClient(options: { name: string; caPem: string }): RelayClient {
  const host = startRelayHost(options);
  return {
    async send(request) {
      try {
        const info = await host.send(request);
        const rejected: RelayOutcome['rejected'] = [];
        for (const address of info.rejected) {
          const detail = info.rejectedErrors.find((e) => e.recipient === address);
          const code = detail?.responseCode ?? 550;
          if (code < 500) throw new TransientRelayError(`${address}: ${detail?.response ?? code}`);
          rejected.push({ address: String(address).toLowerCase(), code, response: detail?.response ?? String(code) });
        }
        return { accepted: info.accepted.map((a) => String(a).toLowerCase()), rejected };
      } catch (error) {
        if (error instanceof TransientRelayError) throw error;
        const e = error as RelayHostError;
        if (e.code === 'EENVELOPE' && e.rejectedErrors?.length && e.rejectedErrors.every((r) => (r.responseCode ?? 0) >= 500)) {
          // Every recipient refused for good: report them one by one.
          return {
            accepted: [],
            rejected: e.rejectedErrors.map((r) => ({ address: String(r.recipient ?? '').toLowerCase(), code: r.responseCode ?? 550, response: r.response ?? '' })),
          };
        }
        if (typeof e.responseCode === 'number' && e.responseCode >= 500) {
          throw new PermanentRelayError(e.responseCode, e.response ?? e.message);
        }
        throw new TransientRelayError(e.response ?? e.message);
      }
    },
    close() {
      host.close();
    },
  };
}
