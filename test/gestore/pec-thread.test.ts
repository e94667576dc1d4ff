// The PEC thread: building there gives the very bytes an in-thread build gives for the same seed
// and time (the seeded golden files depend on it), originals cross the thread boundary intact,
// verification gives the in-thread verdict, and a refused request or a closed thread is an error
// the caller can retry on.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EICAR } from '../../src/gestore/antivirus.js';
import { factsFromParsed } from '../../src/gestore/facts.js';
import { inspectionOf } from '../../src/gestore/inspection.js';
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

  it('reads what arrives as the in-thread parser and verifier do: the same fields of the parse, classes and bytes included', async () => {
    thread = startPecThread({ identities: [ws.alfa(standard)], trustedCaPem: [ca()] });
    const { accepted, facts } = acceptedSample();
    // now, not AT: the workspace's certificates are issued today
    const now = Date.now();
    const busta = await thread.build('alfa', now, 'v', { kind: 'posta-certificata', facts, to: facts.to[0], original: accepted });
    const { parsed, verdict } = await thread.inspect(busta.raw, now);
    const inThread = parsePec(busta.raw);
    // strict: the HeaderMap and Buffer of the clone are put back, down to the embedded original
    expect(parsed).toStrictEqual(inspectionOf(inThread));
    expect(parsed.postacert!.raw.equals(inThread.postacert!.raw)).toBe(true);
    expect(factsFromParsed(parsed)).toEqual(factsFromParsed(inThread));
    // and no more: the signed part, its signature and the original's own parse stay in the thread
    expect(Object.keys(parsed).sort()).toEqual(['cc', 'daticert', 'from', 'ids', 'kind', 'postacert', 'subject', 'tipoRicevuta', 'to', 'variant']);
    expect(Object.keys(parsed.postacert!.parsed).sort()).toEqual(['from', 'headers', 'to']);
    expect(parsed.postacert!.parsed.headers.get('subject')).toBe(inThread.postacert!.parsed.headers.get('subject'));
    expect(verdict).toEqual(verifyDetached(inThread.signed!.content, inThread.signed!.signature!, { trustedCaPem: [ca()], at: new Date(now) }));
    expect(verdict?.ok).toBe(true);
    expect(verdict?.signer?.subject).toContain('Alfa PEC');
  });

  it('refuses a tampered signed part, and gives no verdict for a message without signature', async () => {
    thread = startPecThread({ identities: [ws.alfa(standard)], trustedCaPem: [ca()] });
    const { accepted, facts } = acceptedSample();
    const now = Date.now();
    const built = await thread.build('alfa', now, 'v', { kind: 'accettazione', facts, to: facts.mittente });
    // one byte of the signed part's text, far from any boundary
    const at = built.raw.indexOf('Content-Type: text/plain');
    const tampered = Buffer.from(built.raw);
    tampered[at + 3] ^= 0x20;
    const refused = await thread.inspect(tampered, now);
    expect(refused.parsed.kind).toBe('accettazione');
    expect(refused.verdict?.ok).toBe(false);
    expect(refused.verdict?.digestValid).toBe(false);
    const plain = await thread.inspect(accepted, now);
    expect(plain.parsed.kind).toBeNull();
    expect(plain.verdict).toBeNull();
  });

  it('reports a busta whose original carries EICAR in a base64 attachment, and nothing else, as infected', async () => {
    thread = startPecThread({ identities: [ws.alfa(standard)], trustedCaPem: [ca()] });
    const { accepted, facts } = acceptedSample();
    const now = Date.now();
    const pdf = Buffer.from('%PDF-1.4\n% testbed attachment\n').toString('base64');
    expect(accepted.includes(pdf)).toBe(true);
    const infectedOriginal = Buffer.from(accepted.toString('latin1').replace(pdf, Buffer.from(EICAR).toString('base64')), 'latin1');
    const busta = (original: Buffer) => thread!.build('alfa', now, 'v', { kind: 'posta-certificata', facts, to: facts.to[0], original });
    expect((await thread.inspect((await busta(infectedOriginal)).raw, now)).infected).toBe(true);
    expect((await thread.inspect((await busta(accepted)).raw, now)).infected).toBe(false);
    // a receipt is not scanned, even when it carries the infected original (avvenuta consegna completa)
    const receipt = await thread.build('alfa', now, 'v', { kind: 'avvenuta-consegna', facts, to: facts.mittente, consegna: facts.to[0], original: infectedOriginal });
    const inspected = await thread.inspect(receipt.raw, now);
    expect(inspected.parsed.kind).toBe('avvenuta-consegna');
    expect(inspected.parsed.postacert?.raw.includes(Buffer.from(EICAR).toString('base64'))).toBe(true);
    expect(inspected.infected).toBe(false);
  });
});
