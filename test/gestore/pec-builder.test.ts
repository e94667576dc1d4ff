// Building on the worker thread gives the very bytes an in-thread build gives for the same seed and
// time (the seeded golden files depend on it), carries originals across the thread boundary intact,
// and reports a refused request or a closed worker as an error the caller can retry on.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startPecWorker, type PecBuilder } from '../../src/gestore/pec-builder.js';
import { buildPecMessage } from '../../src/pec/build.js';
import { seededIds } from '../../src/pec/ids.js';
import { standard } from '../../src/pec/index.js';
import { AT, acceptedSample, createWorkspace, opensslVerifies } from '../pec-build/helpers.js';

const ws = createWorkspace();
afterAll(() => ws.cleanup());
let builder: PecBuilder | undefined;
afterEach(async () => {
  await builder?.close();
  builder = undefined;
});

describe('PEC build worker', () => {
  it('gives the bytes of an in-thread build for the same seed and time, original included', async () => {
    const alfa = ws.alfa(standard);
    builder = startPecWorker([alfa, ws.beta(standard)]);
    const { accepted, facts } = acceptedSample();
    const request = { kind: 'posta-certificata' as const, facts, to: facts.to[0], original: accepted };
    const onWorker = await builder.build('alfa', AT, 'seed-1', request);
    const inThread = await buildPecMessage({ gestore: alfa, at: AT, ids: seededIds('seed-1') }, request);
    expect(Buffer.isBuffer(onWorker.raw)).toBe(true);
    expect(onWorker.messageId).toBe(inThread.messageId);
    expect(onWorker.raw.equals(inThread.raw)).toBe(true);
    expect((await opensslVerifies(ws, onWorker.raw)).ok).toBe(true);
  });

  it('draws fresh ids without a seed: two builds of one request differ', async () => {
    builder = startPecWorker([ws.alfa(standard)]);
    const { facts } = acceptedSample();
    const request = { kind: 'accettazione' as const, facts, to: facts.mittente };
    const [a, b] = await Promise.all([builder.build('alfa', AT, null, request), builder.build('alfa', AT, null, request)]);
    expect(a.messageId).not.toBe(b.messageId);
  });

  it('rejects a request the catalogue refuses, an unknown gestore, and any build after close', async () => {
    builder = startPecWorker([ws.alfa(standard)]);
    const { facts } = acceptedSample();
    await expect(builder.build('alfa', AT, 's', { kind: 'posta-certificata', facts, to: facts.to[0] })).rejects.toThrow(/original/);
    await expect(builder.build('gamma', AT, 's', { kind: 'accettazione', facts, to: facts.mittente })).rejects.toThrow('unknown gestore "gamma"');
    await builder.close();
    await expect(builder.build('alfa', AT, 's', { kind: 'accettazione', facts, to: facts.mittente })).rejects.toThrow(/closed/);
  });
});
