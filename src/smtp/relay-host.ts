// The relay's SMTP conversations on a worker thread. Every flow hands three messages from one
// gestore to another; nodemailer's streams, dot-stuffing and TLS for them cost the event loop as
// much as the rest of the engine's work, and none of it needs the engine's state. The worker keeps
// one connection pool per next hop and answers each request with nodemailer's own result fields.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { RelayRequest } from './client.js';

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

// A script, not a module file: it runs the same from src/ (tsx, vitest) and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const nodemailer = require(workerData.nodemailer);
const transports = new Map();
const transportFor = (target) => {
  const key = target.host + ':' + target.port;
  let transport = transports.get(key);
  if (!transport) {
    transport = nodemailer.createTransport({
      host: target.host,
      port: target.port,
      secure: false,
      name: workerData.name,
      pool: true,
      maxConnections: 4,
      maxMessages: Infinity,
      // Opportunistic STARTTLS with the testbed's CA; a plain peer (e.g. an external
      // implementation under test without TLS) still works.
      tls: { ca: workerData.caPem },
      connectionTimeout: 10000,
      greetingTimeout: 10000,
      socketTimeout: 60000,
    });
    transports.set(key, transport);
  }
  return transport;
};
const recipientErrors = (list) => (list || []).map((e) => ({ recipient: e.recipient, responseCode: e.responseCode, response: e.response }));
parentPort.on('message', (message) => {
  if (message.type === 'close') {
    for (const transport of transports.values()) transport.close();
    parentPort.close();
    return;
  }
  const { id, target, from, to, raw } = message;
  transportFor(target).sendMail({ envelope: { from, to }, raw: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength) }).then(
    (info) => parentPort.postMessage({ id, info: { accepted: info.accepted || [], rejected: info.rejected || [], rejectedErrors: recipientErrors(info.rejectedErrors) } }),
    (err) => parentPort.postMessage({ id, error: {
      code: err.code, responseCode: err.responseCode, response: err.response, message: String(err.message || err),
      rejectedErrors: err.rejectedErrors && recipientErrors(err.rejectedErrors),
    } }),
  );
});
`;

type Reply = { id: number; info: RelayHostInfo } | { id: number; error: RelayHostError };

export function startRelayHost(options: { name: string; caPem: string }): RelayHost {
  const pending = new Map<number, { resolve: (info: RelayHostInfo) => void; reject: (err: unknown) => void }>();
  let nextId = 1;
  let worker: Worker | null = null;
  let closed = false;
  const failAll = (err: RelayHostError) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  // Started on first use, and again after a crash: the relays that were in flight are retried
  // by their jobs (a dead worker is a transient failure, like a dropped connection).
  const current = (): Worker => {
    if (worker) return worker;
    const started = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { nodemailer: createRequire(import.meta.url).resolve('nodemailer'), name: options.name, caPem: options.caPem },
    });
    // Pending sends keep their callers waiting, not the process: the listeners do that.
    started.unref();
    started.on('message', (reply: Reply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if ('info' in reply) p.resolve(reply.info);
      else p.reject(reply.error);
    });
    started.on('error', (err) => failAll({ message: `relay worker failed: ${err.message}` }));
    started.on('exit', () => {
      if (worker === started) worker = null;
      failAll({ message: 'relay worker stopped' });
    });
    worker = started;
    return started;
  };
  return {
    send(request) {
      if (closed) return Promise.reject({ message: 'relay client closed' } satisfies RelayHostError);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        current().postMessage({ id, target: request.target, from: request.from, to: request.to, raw: request.raw });
      });
    },
    close() {
      closed = true;
      // the worker closes its pools (QUIT to every peer) and ends by itself
      worker?.postMessage({ type: 'close' });
      worker = null;
    },
  };
}
