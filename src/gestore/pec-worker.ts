// The worker-thread side of pec-builder.ts: builds and signs PEC messages with the pure library of
// src/pec, for the gestori whose signing identities it was given. Nothing here touches the store,
// the clock or a socket: time and the id seed arrive with each request.
import { parentPort } from 'node:worker_threads';
import { buildPecMessage, type PecRequest } from '../pec/build.js';
import { randomIds, seededIds } from '../pec/ids.js';
import type { GestoreIdentity } from '../pec/types.js';

export type WorkerRequest =
  | { type: 'identities'; identities: GestoreIdentity[] }
  | { type: 'build'; id: number; gestore: string; at: number; seed: string | null; request: PecRequest };

/** a built message; a failed build answers `{ id, error }` instead */
export interface WorkerAnswer {
  id: number;
  raw: Uint8Array;
  messageId: string;
}

type WorkerReply = WorkerAnswer | { id: number; error: string };

const identities = new Map<string, GestoreIdentity>();
const random = randomIds();

// Structured cloning turns a Buffer into a plain Uint8Array: give the builder its Buffer back.
function asBuffer(bytes: Uint8Array | undefined): Buffer | undefined {
  return bytes && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

async function build(message: Extract<WorkerRequest, { type: 'build' }>): Promise<WorkerReply> {
  try {
    const gestore = identities.get(message.gestore);
    if (!gestore) throw new Error(`unknown gestore "${message.gestore}"`);
    const request = { ...message.request, original: asBuffer(message.request.original) };
    const ids = message.seed === null ? random : seededIds(message.seed);
    const built = await buildPecMessage({ gestore, at: message.at, ids }, request);
    return { id: message.id, raw: built.raw, messageId: built.messageId };
  } catch (error) {
    return { id: message.id, error: error instanceof Error ? error.message : String(error) };
  }
}

const port = parentPort;
if (!port) throw new Error('pec-worker runs in a worker thread only');
port.on('message', (message: WorkerRequest) => {
  if (message.type === 'identities') {
    for (const identity of message.identities) identities.set(identity.id, identity);
    return;
  }
  void build(message).then((reply) => port.postMessage(reply));
});
