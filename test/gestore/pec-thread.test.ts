// The PEC thread: building there gives the very bytes an in-thread build gives for the same seed
// and time (the seeded golden files depend on it), originals cross the thread boundary intact,
// verification gives the in-thread verdict, and a refused request or a closed thread is an error
// the caller can retry on.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startPecThread, type PecThread } from '../../src/gestore/pec-thread.js';
import { buildPecMessage } from '../../src/pec/build.js';
import { seededIds } from '../../src/pec/ids.js';
import { standard } from '../../src/pec/index.js';
import { parsePec } from '../../src/pec/parse.js';
import { verifyDetached } from '../../src/pki/cms-verify.js';
import { AT, acceptedSample, createWorkspace, opensslVerifies } from '../pec-build/helpers.js';

const ws = createWorkspace();
const ca = () => readFileSync(ws.caPath, 'utf8');
afterAll(() => ws.cleanup());
let thread: PecThread | undefined;
afterEach(async () => {
  await thread?.close();
  thread = undefined;
});

describe('PEC thread', () => {
  it('gives the bytes of an in-thread build for the same seed and time, original included', async () => {
    const alfa = ws.alfa(standard);
    thread = startPecThread({ identities: [alfa, ws.beta(standard)], trustedCaPem: [ca()] });
    const { accepted, facts } = acceptedSample();
    const request = { kind: 'posta-certificata' as const, facts, to: facts.to[0], original: accepted };
    const onWorker = await thread.build('alfa', AT, 'seed-1', request);
    const inThread = await buildPecMessage({ gestore: alfa, at: AT, ids: seededIds('seed-1') }, request);
    expect(Buffer.isBuffer(onWorker.raw)).toBe(true);
    expect(onWorker.messageId).toBe(inThread.messageId);
    expect(onWorker.raw.equals(inThread.raw)).toBe(true);
    expect((await opensslVerifies(ws, onWorker.raw)).ok).toBe(true);
  });

  it('draws fresh ids without a seed: two builds of one request differ', async () => {
    thread = startPecThread({ identities: [ws.alfa(standard)], trustedCaPem: [ca()] });
    const { facts } = acceptedSample();
    const request = { kind: 'accettazione' as const, facts, to: facts.mittente };
    const [a, b] = await Promise.all([thread.build('alfa', AT, null, request), thread.build('alfa', AT, null, request)]);
    expect(a.messageId).not.toBe(b.messageId);
  });

  it('rejects a request the catalogue refuses, an unknown gestore, and any build after close', async () => {
    thread = startPecThread({ identities: [ws.alfa(standard)], trustedCaPem: [ca()] });
    const { facts } = acceptedSample();
    await expect(thread.build('alfa', AT, 's', { kind: 'posta-certificata', facts, to: facts.to[0] })).rejects.toThrow(/original/);
    await expect(thread.build('gamma', AT, 's', { kind: 'accettazione', facts, to: facts.mittente })).rejects.toThrow('unknown gestore "gamma"');
    await thread.close();
    await expect(thread.build('alfa', AT, 's', { kind: 'accettazione', facts, to: facts.mittente })).rejects.toThrow(/closed/);
  });

  it('verifies signatures as the in-thread verifier does: valid, and a tampered content refused', async () => {
    thread = startPecThread({ identities: [ws.alfa(standard)], trustedCaPem: [ca()] });
    const { facts } = acceptedSample();
    // now, not AT: the workspace's certificates are issued today
    const now = Date.now();
    const built = await thread.build('alfa', now, 'v', { kind: 'accettazione', facts, to: facts.mittente });
    const signed = parsePec(built.raw).signed!;
    const verdict = await thread.verify(signed.content, signed.signature!, now);
    expect(verdict).toEqual(verifyDetached(signed.content, signed.signature!, { trustedCaPem: [ca()], at: new Date(now) }));
    expect(verdict.ok).toBe(true);
    expect(verdict.signer?.subject).toContain('Alfa PEC');
    const tampered = Buffer.from(signed.content);
    tampered[tampered.length - 3] ^= 1;
    const refused = await thread.verify(tampered, signed.signature!, now);
    expect(refused.ok).toBe(false);
    expect(refused.digestValid).toBe(false);
  });
});
