import { describe, expect, it } from 'vitest';
import { StoreError, type Flow } from '../../src/store/index.js';
import { ALICE, harness, MODES, msg, withAccounts } from './helpers.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError);
    return (err as StoreError).code;
  }
  return undefined;
}

function flow(id: string, extra: Partial<Flow> = {}): Flow {
  return {
    identificativo: id,
    gestore: 'alfa',
    sender: 'protocollo@pec.comune-giardinello.test',
    clientMessageId: `<${id}@client>`,
    subject: `Pratica ${id}`,
    receiptType: 'completa',
    createdAt: 1000,
    recipients: [
      { address: 'protocollo@pec.comune-mineo.test', type: 'certificato', header: 'to', state: 'pending', updatedAt: 1000 },
      { address: 'cittadino@posta.ordinaria.test', type: 'esterno', header: 'cc', state: 'external', updatedAt: 1000 },
    ],
    ...extra,
  };
}

describe.each(MODES)('flows [%s]', (mode) => {
  it('creates, reads back exactly, refuses duplicates and invalid flows', () => {
    const { store } = harness(mode);
    const f = flow('opec-1');
    store.createFlow(f);
    expect(store.getFlow('opec-1')).toEqual(f);
    expect(store.getFlow('nope')).toBeUndefined();
    expect(code(() => store.createFlow(f))).toBe('EXISTS');
    expect(code(() => store.createFlow(flow('opec-2', { receiptType: 'lunga' as never })))).toBe('INVALID');
    const badRecipient = flow('opec-3');
    badRecipient.recipients[0] = { ...badRecipient.recipients[0], state: 'lost' as never };
    expect(code(() => store.createFlow(badRecipient))).toBe('INVALID');
    expect(store.getFlow('opec-3')).toBeUndefined();
  });

  it('findFlows by clientMessageId, gestore, sender (any case), in creation order, with limit', () => {
    const { store } = harness(mode);
    store.createFlow(flow('b', { createdAt: 5 }));
    store.createFlow(flow('a', { createdAt: 5, gestore: 'beta', sender: 'mario.rossi@pec.beta.test' }));
    store.createFlow(flow('c', { createdAt: 1, clientMessageId: '<b@client>' }));
    const ids = (q: Parameters<typeof store.findFlows>[0]): string[] => store.findFlows(q).map((x) => x.identificativo);
    expect(ids({})).toEqual(['b', 'a', 'c']);
    expect(ids({ clientMessageId: '<b@client>' })).toEqual(['b', 'c']);
    expect(ids({ gestore: 'beta' })).toEqual(['a']);
    expect(ids({ sender: 'Mario.Rossi@PEC.beta.test' })).toEqual(['a']);
    expect(ids({ gestore: 'alfa', clientMessageId: '<b@client>' })).toEqual(['b', 'c']);
    expect(ids({ limit: 2 })).toEqual(['b', 'a']);
    expect(store.findFlows({ gestore: 'beta' })[0].recipients).toHaveLength(2);
  });

  it('setRecipientState updates one recipient; NOT_FOUND for unknown flow or recipient', () => {
    const { store } = harness(mode);
    store.createFlow(flow('opec-1'));
    store.setRecipientState('opec-1', 'PROTOCOLLO@pec.comune-mineo.test', 'delivered', 2000);
    const r = store.getFlow('opec-1')!.recipients;
    expect(r[0]).toMatchObject({ address: 'protocollo@pec.comune-mineo.test', state: 'delivered', updatedAt: 2000 });
    expect(r[1]).toMatchObject({ state: 'external', updatedAt: 1000 });
    expect(code(() => store.setRecipientState('nope', 'x@y', 'taken', 1))).toBe('NOT_FOUND');
    expect(code(() => store.setRecipientState('opec-1', 'x@y', 'taken', 1))).toBe('NOT_FOUND');
    expect(code(() => store.setRecipientState('opec-1', 'protocollo@pec.comune-mineo.test', 'lost' as never, 1))).toBe('INVALID');
  });
});

describe.each(MODES)('blobs [%s]', (mode) => {
  it('put/get/delete keep bytes exact', () => {
    const { store } = harness(mode);
    const data = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 131) % 256));
    const id = store.putBlob(data);
    const empty = store.putBlob(Buffer.alloc(0));
    expect(store.getBlob(id)?.equals(data)).toBe(true);
    expect(store.getBlob(empty)?.length).toBe(0);
    store.deleteBlob(id);
    store.deleteBlob(id); // deleting twice is harmless
    expect(store.getBlob(id)).toBeUndefined();
    expect(store.putBlob(Buffer.from('x'))).toBeGreaterThan(empty);
  });
});

describe.each(MODES)('jobs [%s]', (mode) => {
  it('enqueue returns the job; an existing key (pending or completed) is a no-op', () => {
    const { store } = harness(mode);
    const j = store.enqueueJob({ kind: 'relay', dueAt: 10, payload: { blob: 1, to: ['a@b'] }, key: 'relay:opec-1' })!;
    expect(j).toEqual({ id: j.id, kind: 'relay', dueAt: 10, payload: { blob: 1, to: ['a@b'] }, key: 'relay:opec-1', attempts: 0, lastError: null });
    expect(store.enqueueJob({ kind: 'relay', dueAt: 1, payload: null, key: 'relay:opec-1' })).toBeUndefined();
    expect(store.listJobs()).toEqual([j]);
    store.completeJob(j.id);
    expect(store.listJobs()).toEqual([]);
    expect(store.enqueueJob({ kind: 'relay', dueAt: 1, payload: null, key: 'relay:opec-1' })).toBeUndefined();
    expect(store.listJobs()).toEqual([]);
    // jobs without a key are never deduplicated
    const a = store.enqueueJob({ kind: 'x', dueAt: 1, payload: 1 })!;
    const b = store.enqueueJob({ kind: 'x', dueAt: 1, payload: 1 })!;
    expect(a.key).toBeUndefined();
    expect(b.id).toBeGreaterThan(a.id);
    store.completeJob(a.id);
    expect(store.listJobs().map((x) => x.id)).toEqual([b.id]);
  });

  it('dueJobs: pending with dueAt <= now, by dueAt then id, limited; nextDueAt', () => {
    const { store } = harness(mode);
    expect(store.nextDueAt()).toBeUndefined();
    const j30 = store.enqueueJob({ kind: 'k', dueAt: 30, payload: 'c' })!;
    const j10 = store.enqueueJob({ kind: 'k', dueAt: 10, payload: 'a' })!;
    const j10b = store.enqueueJob({ kind: 'k', dueAt: 10, payload: 'b' })!;
    const j50 = store.enqueueJob({ kind: 'k', dueAt: 50, payload: 'd' })!;
    expect(store.nextDueAt()).toBe(10);
    expect(store.dueJobs(5, 10)).toEqual([]);
    expect(store.dueJobs(30, 10).map((j) => j.id)).toEqual([j10.id, j10b.id, j30.id]);
    expect(store.dueJobs(30, 2).map((j) => j.id)).toEqual([j10.id, j10b.id]);
    // the ones a runner is running are left out, and the limit counts only the others
    expect(store.dueJobs(30, 2, [j10.id]).map((j) => j.id)).toEqual([j10b.id, j30.id]);
    expect(store.dueJobs(30, 10, new Set([j10.id, j10b.id, j30.id]))).toEqual([]);
    store.completeJob(j10.id);
    store.completeJob(j10b.id);
    expect(store.nextDueAt()).toBe(30);
    expect(store.dueJobs(100, 10).map((j) => j.payload)).toEqual(['c', 'd']);
    expect(store.listJobs().map((j) => j.id)).toEqual([j30.id, j50.id]);
  });

  it('dueJobs gives each job with its payload as enqueued (JSON values of any shape)', () => {
    const { store } = harness(mode);
    const a = store.enqueueJob({ kind: 'k', dueAt: 1, payload: { to: ['x@pec.test'], lane: 'relay:beta' } })!;
    expect(a).toMatchObject({ kind: 'k', dueAt: 1, attempts: 0, lastError: null, payload: { to: ['x@pec.test'], lane: 'relay:beta' } });
    const b = store.enqueueJob({ kind: 'k', dueAt: 2, payload: [1, 'due'] })!;
    const c = store.enqueueJob({ kind: 'k', dueAt: 3, payload: null })!;
    expect(store.dueJobs(10, 10)).toEqual([a, b, c]);
    expect(store.dueJobs(10, 10, [a.id]).map((j) => j.payload)).toEqual([[1, 'due'], null]);
  });

  it('retryJob increments attempts, moves dueAt and records the error', () => {
    const { store } = harness(mode);
    const j = store.enqueueJob({ kind: 'relay', dueAt: 10, payload: {} })!;
    store.retryJob(j.id, 100, 'ECONNREFUSED');
    store.retryJob(j.id, 200, '421 try later');
    expect(store.listJobs()[0]).toMatchObject({ attempts: 2, dueAt: 200, lastError: '421 try later' });
    expect(store.dueJobs(150, 10)).toEqual([]);
    expect(store.nextDueAt()).toBe(200);
    // unknown ids are ignored (the job may have been cancelled while it ran)
    store.retryJob(9999, 1, 'x');
    store.completeJob(9999);
    expect(store.listJobs()).toHaveLength(1);
  });

  it('cancelJobs by kind, by key, by key prefix (case-sensitive), or both; only pending; keys become free', () => {
    const { store } = harness(mode);
    store.enqueueJob({ kind: 'timer-12h', dueAt: 1, payload: null, key: 'timer:opec-1:12h' });
    store.enqueueJob({ kind: 'timer-24h', dueAt: 2, payload: null, key: 'timer:opec-1:24h' });
    store.enqueueJob({ kind: 'timer-12h', dueAt: 3, payload: null, key: 'timer:opec-2:12h' });
    store.enqueueJob({ kind: 'timer-12h', dueAt: 3, payload: null, key: 'TIMER:opec-1:x' });
    store.enqueueJob({ kind: 'relay', dueAt: 4, payload: null });
    const done = store.enqueueJob({ kind: 'timer-12h', dueAt: 0, payload: null, key: 'timer:opec-1:done' })!;
    store.completeJob(done.id);
    store.enqueueJob({ kind: 'timer-12h', dueAt: 3, payload: null, key: 'timer:opec-1' });
    store.enqueueJob({ kind: 'timer-12h', dueAt: 3, payload: null, key: 'timer:opec-1:\u00e8\u{10ffff}' });
    expect(store.cancelJobs({ key: 'timer:opec-1' })).toBe(1);
    expect(store.cancelJobs({ key: 'timer:opec' })).toBe(0);
    expect(store.cancelJobs({ keyPrefix: 'timer:opec-1:' })).toBe(3);
    expect(store.cancelJobs({ kind: 'timer-12h', keyPrefix: 'timer:opec-2' })).toBe(1);
    expect(store.listJobs().map((j) => j.key ?? j.kind)).toEqual(['TIMER:opec-1:x', 'relay']);
    expect(store.cancelJobs({ kind: 'relay' })).toBe(1);
    expect(store.cancelJobs({ kind: 'relay' })).toBe(0);
    expect(code(() => store.cancelJobs({}))).toBe('INVALID');
    // a cancelled key can be enqueued again; a completed one cannot
    expect(store.enqueueJob({ kind: 'timer-12h', dueAt: 9, payload: null, key: 'timer:opec-1:12h' })).toBeDefined();
    expect(store.enqueueJob({ kind: 'timer-12h', dueAt: 9, payload: null, key: 'timer:opec-1:done' })).toBeUndefined();
  });

  it('a job committed with its message is rolled back with it', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    expect(() =>
      h.store.transaction(() => {
        h.store.appendMessage(f.inbox, msg(1));
        h.store.enqueueJob({ kind: 'receipt', dueAt: 1, payload: null, key: 'receipt:1' });
        throw new Error('crash before commit');
      }),
    ).toThrow();
    expect(h.store.listJobs()).toEqual([]);
    expect(h.store.enqueueJob({ kind: 'receipt', dueAt: 1, payload: null, key: 'receipt:1' })).toBeDefined();
  });

  it('rejects invalid jobs', () => {
    const { store } = harness(mode);
    expect(code(() => store.enqueueJob({ kind: '', dueAt: 1, payload: null }))).toBe('INVALID');
    expect(code(() => store.enqueueJob({ kind: 'k', dueAt: Number.NaN, payload: null }))).toBe('INVALID');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(code(() => store.enqueueJob({ kind: 'k', dueAt: 1, payload: cyclic }))).toBe('INVALID');
    expect(store.enqueueJob({ kind: 'k', dueAt: 1, payload: undefined })?.payload).toBeNull();
  });
});

describe.each(MODES)('log [%s]', (mode) => {
  it('appendLog returns the record with id and defaults; queryLog filters in id order', () => {
    const { store } = harness(mode);
    const a = store.appendLog({ at: 10, gestore: 'alfa', actor: 'accesso', event: 'accettazione', identificativo: 'opec-1', messageId: '<c@x>', detail: { to: ['a@b'], n: 1 } });
    expect(a).toEqual({ id: a.id, at: 10, gestore: 'alfa', actor: 'accesso', event: 'accettazione', identificativo: 'opec-1', messageId: '<c@x>', detail: { to: ['a@b'], n: 1 } });
    const b = store.appendLog({ at: 20, gestore: 'beta', actor: 'ricezione', event: 'presa-in-carico', identificativo: 'opec-1' });
    expect(b).toMatchObject({ messageId: null, detail: {} });
    const c = store.appendLog({ at: 30, gestore: 'alfa', actor: 'timer', event: 'preavviso' });
    const ids = (q: Parameters<typeof store.queryLog>[0]): number[] => store.queryLog(q).map((r) => r.id);
    expect(ids({})).toEqual([a.id, b.id, c.id]);
    expect(ids({ gestore: 'alfa' })).toEqual([a.id, c.id]);
    expect(ids({ actor: 'ricezione' })).toEqual([b.id]);
    expect(ids({ event: 'preavviso' })).toEqual([c.id]);
    expect(ids({ identificativo: 'opec-1' })).toEqual([a.id, b.id]);
    expect(ids({ messageId: '<c@x>' })).toEqual([a.id]);
    expect(ids({ since: 20 })).toEqual([b.id, c.id]);
    expect(ids({ afterId: a.id })).toEqual([b.id, c.id]);
    expect(ids({ afterId: a.id, limit: 1 })).toEqual([b.id]);
    expect(ids({ gestore: 'alfa', since: 15 })).toEqual([c.id]);
    expect(store.queryLog({ identificativo: 'opec-1' })[0]).toEqual(a);
    expect(code(() => store.appendLog({ at: 1.5, gestore: 'a', actor: 'b', event: 'c' }))).toBe('INVALID');
  });
});

describe.each(MODES)('reset [%s]', (mode) => {
  it('empties messages, flows, jobs (and done keys), blobs and log; keeps accounts, folders and UIDs', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    h.store.createFolder(ALICE, 'Pratiche');
    const m = h.store.appendMessage(f.inbox, msg(1));
    h.store.appendMessage(f.inbox, msg(2));
    h.store.createFlow(flow('opec-1'));
    const blob = h.store.putBlob(Buffer.from('busta'));
    const done = h.store.enqueueJob({ kind: 'receipt', dueAt: 1, payload: null, key: 'receipt:1' })!;
    h.store.completeJob(done.id);
    h.store.enqueueJob({ kind: 'timer', dueAt: 5, payload: null, key: 'timer:1' });
    const log = h.store.appendLog({ at: 1, gestore: 'alfa', actor: 'accesso', event: 'x' });
    const folders = h.store.listFolders(ALICE);

    h.store.reset();

    expect(h.store.listAccounts().map((a) => a.address)).toHaveLength(2);
    expect(h.store.listFolders(ALICE)).toEqual(folders);
    expect(h.store.findMessages({})).toEqual([]);
    expect(h.store.getMessage(m.id)).toBeUndefined();
    expect(h.store.usedBytes(ALICE)).toBe(0);
    expect(h.store.findFlows({})).toEqual([]);
    expect(h.store.getBlob(blob)).toBeUndefined();
    expect(h.store.listJobs()).toEqual([]);
    expect(h.store.nextDueAt()).toBeUndefined();
    expect(h.store.queryLog({})).toEqual([]);
    // done keys are gone too: a fresh run may send receipt:1 again
    expect(h.store.enqueueJob({ kind: 'receipt', dueAt: 1, payload: null, key: 'receipt:1' })).toBeDefined();
    // UIDs continue, ids are not reused
    const next = h.store.appendMessage(f.inbox, msg(3));
    expect(next.uid).toBe(3);
    expect(next.id).toBeGreaterThan(m.id + 1);
    expect(h.store.appendLog({ at: 2, gestore: 'alfa', actor: 'a', event: 'b' }).id).toBeGreaterThan(log.id);
    expect(h.store.putBlob(Buffer.from('x'))).toBeGreaterThan(blob);
    // the flow id can be used again
    h.store.createFlow(flow('opec-1'));
  });
});
