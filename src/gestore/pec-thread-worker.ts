// The worker-thread side of pec-thread.ts: builds and signs PEC messages with the pure library of
// src/pec for the gestori whose signing identities it was given, and reads what arrives at a punto
// di ricezione (parse, check its signature against the index authority, scan a busta's content).
// Nothing here touches the store, the clock or a socket: time and the id seed arrive with each
// request.
import { parentPort } from 'node:worker_threads';
import { buildPecMessage, type PecRequest } from '../pec/build.js';
import { randomIds, seededIds } from '../pec/ids.js';
import { parsePec } from '../pec/parse.js';
import type { GestoreIdentity } from '../pec/types.js';
import { verifyDetached, type CmsVerdict } from '../pki/cms-verify.js';
import { asBuffer } from '../threads/bytes.js';
import { containsEicar } from './antivirus.js';
import { inspectionOf, type InspectedPec } from './inspection.js';

export type PecThreadRequest =
  | { type: 'init'; identities: GestoreIdentity[]; trustedCaPem: string[] }
  | { type: 'build'; id: number; gestore: string; at: number; seed: string | null; request: PecRequest }
  | { type: 'inspect'; id: number; raw: Uint8Array; at: number };

/** what a request answers; a failed one answers `{ id, error }` instead */
export type PecThreadAnswer =
  | { id: number; raw: Uint8Array; messageId: string }
  | { id: number; parsed: InspectedPec; verdict: CmsVerdict | null; infected: boolean };

const identities = new Map<string, GestoreIdentity>();
let trustedCaPem: string[] = [];
const random = randomIds();

async function answer(message: Exclude<PecThreadRequest, { type: 'init' }>): Promise<PecThreadAnswer | { id: number; error: string }> {
  try {
    if (message.type === 'inspect') {
      const parsed = parsePec(asBuffer(message.raw));
      const signed = parsed.signed;
      const verdict = signed?.signature ? verifyDetached(signed.content, signed.signature, { trustedCaPem, at: new Date(message.at) }) : null;
      // the punto di ricezione scans a busta's content; here rather than on the event loop
      const infected = parsed.kind === 'posta-certificata' && !!parsed.postacert && containsEicar(parsed.postacert.raw);
      return { id: message.id, parsed: inspectionOf(parsed), verdict, infected };
    }
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
if (!port) throw new Error('pec-thread-worker runs in a worker thread only');
port.on('message', (message: PecThreadRequest) => {
  if (message.type === 'init') {
    for (const identity of message.identities) identities.set(identity.id, identity);
    trustedCaPem = message.trustedCaPem;
    return;
  }
  void answer(message).then((reply) => port.postMessage(reply));
});
