// The relay's SMTP conversations on a worker thread. Every flow hands three messages from one
// gestore to another; nodemailer's streams, dot-stuffing and TLS for them cost the event loop as
// much as the rest of the engine's work, and none of it needs the engine's state. The worker
// (relay-worker.ts) keeps one connection pool per next hop and answers each request with
// nodemailer's own result fields.
import { workerCalls } from '../threads/calls.js';
import { moduleWorker, siblingModule } from '../threads/module-worker.js';
import type { RelayRequest } from './client.js';
import type { RelayWorkerData, RelayWorkerRequest } from './relay-worker.js';

/** what nodemailer reports for a message some or all of whose recipients were taken */
export interface RelayHostInfo {
  accepted: string[];
  rejected: string[];
  rejectedErrors: Array<{ recipient?: string; responseCode?: number; response?: string }>;
}

/** a nodemailer error, as far as the engine looks into it */
export interface RelayHostError {
  code?: string;
  responseCode?: number;
  response?: string;
  message: string;
  rejectedErrors?: RelayHostInfo['rejectedErrors'];
}

export interface RelayHost {
  send(request: RelayRequest): Promise<RelayHostInfo>;
  close(): void;
}

export function startRelayHost(options: { name: string; caPem: string }): RelayHost {
  const calls = workerCalls<RelayHostInfo>({
    name: 'relay',
    start: () => moduleWorker(siblingModule(import.meta.url, 'relay-worker'), { workerData: options satisfies RelayWorkerData }),
    // a dead worker is a transient failure, like a dropped connection: the relay jobs retry
    failure: (cause): RelayHostError => (typeof cause === 'string' ? { message: cause } : (cause as RelayHostError)),
  });
  return {
    send: (request) => calls.call({ type: 'send', target: request.target, from: request.from, to: request.to, raw: request.raw }),
    // the worker closes its pools (QUIT to every peer) and ends by itself
    close: () => void calls.close({ type: 'close' } satisfies RelayWorkerRequest),
  };
}
