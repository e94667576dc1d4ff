// The worker-thread side of relay-host.ts: one nodemailer connection pool per next hop, each
// message sent as given (envelope + raw bytes), and nodemailer's own result fields sent back.
import { parentPort, workerData } from 'node:worker_threads';
import nodemailer from 'nodemailer';
import { asBuffer } from '../threads/bytes.js';
import type { RelayHostError, RelayHostInfo } from './relay-host.js';

export interface RelayWorkerData {
  name: string;
  caPem: string;
}

export type RelayWorkerRequest =
  | { type: 'send'; id: number; target: { host: string; port: number }; from: string; to: string[]; raw: Uint8Array }
  | { type: 'close' };

const { name, caPem } = workerData as RelayWorkerData;
const transports = new Map<string, ReturnType<typeof nodemailer.createTransport>>();

function transportFor(target: { host: string; port: number }) {
  const key = `${target.host}:${target.port}`;
  let transport = transports.get(key);
  if (!transport) {
    transport = nodemailer.createTransport({
      host: target.host,
      port: target.port,
      secure: false,
      name,
      pool: true,
      maxConnections: 4,
      maxMessages: Infinity,
      // Opportunistic STARTTLS with the testbed's CA; a plain peer (e.g. an external
      // implementation under test without TLS) still works.
      tls: { ca: caPem },
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 60_000,
    });
    transports.set(key, transport);
  }
  return transport;
}

type RecipientErrors = RelayHostInfo['rejectedErrors'];
const recipientErrors = (list: unknown): RecipientErrors =>
  ((list as RecipientErrors | undefined) ?? []).map((e) => ({ recipient: e.recipient, responseCode: e.responseCode, response: e.response }));

const port = parentPort;
if (!port) throw new Error('relay-worker runs in a worker thread only');
port.on('message', (message: RelayWorkerRequest) => {
  if (message.type === 'close') {
    for (const transport of transports.values()) transport.close();
    port.close();
    return;
  }
  const { id, target, from, to, raw } = message;
  transportFor(target).sendMail({ envelope: { from, to }, raw: asBuffer(raw) }).then(
    (info) => {
      const answer: RelayHostInfo = {
        accepted: (info.accepted as string[]) ?? [],
        rejected: (info.rejected as string[]) ?? [],
        rejectedErrors: recipientErrors((info as { rejectedErrors?: unknown }).rejectedErrors),
      };
      port.postMessage({ id, ...answer });
    },
    (err: RelayHostError & { rejectedErrors?: unknown }) => {
      const error: RelayHostError = {
        code: err.code, responseCode: err.responseCode, response: err.response, message: String(err.message ?? err),
        rejectedErrors: err.rejectedErrors === undefined ? undefined : recipientErrors(err.rejectedErrors),
      };
      port.postMessage({ id, error });
    },
  );
});
