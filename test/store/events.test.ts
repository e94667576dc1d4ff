import { describe, expect, it } from 'vitest';
import type { LogRecord, MailboxChange } from '../../src/store/index.js';
import { ALICE, BOB, harness, MODES, msg, withAccounts } from './helpers.js';

function record(h: ReturnType<typeof harness>): Array<[string, MailboxChange]> {
  const seen: Array<[string, MailboxChange]> = [];
  h.store.onChange((address, change) => seen.push([address, change]));
  return seen;
}

describe.each(MODES)('change events [%s]', (mode) => {
  it('reports each kind of change with the account address', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const seen = record(h);
    const m1 = h.store.appendMessage(f.inbox, msg(1));
    h.store.appendMessage(f.inbox, msg(2));
    h.store.setFlags(f.inbox, [1, 2], ['\\Seen'], 'add');
    h.store.setFlags(f.inbox, [1, 2], ['\\Seen'], 'add'); // no change, no event
    h.store.copyMessages(f.inbox, [1], f.bobInbox);
    h.store.setFlags(f.inbox, [2], ['\\Deleted'], 'add');
    h.store.expunge(f.inbox);
    h.store.moveMessages(f.inbox, [1], f.trash);
    const t1 = h.store.getMessageByUid(f.trash, 1)!;
    h.store.deleteMessage(t1.id);
    const v = h.store.resetUidValidity(f.sent);
    h.store.createFolder(ALICE, 'X');
    h.store.renameFolder(ALICE, 'X', 'Y');
    h.store.deleteFolder(ALICE, 'Y');
    const copyId = h.store.getMessageByUid(f.bobInbox, 1)!.id;
    expect(seen).toEqual([
      [ALICE, { type: 'exists', folderId: f.inbox, uid: 1, messageId: m1.id }],
      [ALICE, { type: 'exists', folderId: f.inbox, uid: 2, messageId: m1.id + 1 }],
      [ALICE, { type: 'flags', folderId: f.inbox, uid: 1, flags: ['\\Seen'] }],
      [ALICE, { type: 'flags', folderId: f.inbox, uid: 2, flags: ['\\Seen'] }],
      [BOB, { type: 'exists', folderId: f.bobInbox, uid: 1, messageId: copyId }],
      [ALICE, { type: 'flags', folderId: f.inbox, uid: 2, flags: ['\\Seen', '\\Deleted'] }],
      [ALICE, { type: 'expunge', folderId: f.inbox, uids: [2] }],
      [ALICE, { type: 'exists', folderId: f.trash, uid: 1, messageId: t1.id }],
      [ALICE, { type: 'expunge', folderId: f.inbox, uids: [1] }],
      [ALICE, { type: 'expunge', folderId: f.trash, uids: [1] }],
      [ALICE, { type: 'uidvalidity', folderId: f.sent, uidValidity: v }],
      [ALICE, { type: 'folders' }],
      [ALICE, { type: 'folders' }],
      [ALICE, { type: 'folders' }],
    ]);
  });

  it('renaming INBOX reports the expunge of its messages and the folder change', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    h.store.appendMessage(f.inbox, msg(1));
    h.store.appendMessage(f.inbox, msg(2));
    const seen = record(h);
    h.store.renameFolder(ALICE, 'INBOX', 'Old');
    expect(seen).toEqual([
      [ALICE, { type: 'expunge', folderId: f.inbox, uids: [1, 2] }],
      [ALICE, { type: 'folders' }],
    ]);
  });

  it('delivers after commit, in order, and nothing on rollback', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const seen = record(h);
    const result = h.store.transaction(() => {
      h.store.appendMessage(f.inbox, msg(1));
      h.store.appendMessage(f.sent, msg(2));
      expect(seen).toEqual([]); // not yet committed
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(seen.map(([, c]) => c.type === 'exists' && [c.folderId, c.uid])).toEqual([[f.inbox, 1], [f.sent, 1]]);

    seen.length = 0;
    expect(() =>
      h.store.transaction(() => {
        h.store.appendMessage(f.inbox, msg(3));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(seen).toEqual([]);
    expect(h.store.listMessages(f.inbox)).toHaveLength(1);
    // the rolled-back UID is not burnt: the transaction never happened
    expect(h.store.appendMessage(f.inbox, msg(4)).uid).toBe(2);
  });

  it('a failing nested transaction drops only its own writes and events', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const seen = record(h);
    const logs: LogRecord[] = [];
    h.store.onLog((r) => logs.push(r));
    h.store.transaction(() => {
      h.store.appendMessage(f.inbox, msg(1));
      try {
        h.store.transaction(() => {
          h.store.appendMessage(f.inbox, msg(2));
          h.store.appendLog({ at: 1, gestore: 'alfa', actor: 'consegna', event: 'inner' });
          throw new Error('inner');
        });
      } catch {
        // the caller handled it; the outer work goes on
      }
      h.store.transaction(() => h.store.appendMessage(f.sent, msg(3)));
      h.store.appendLog({ at: 2, gestore: 'alfa', actor: 'consegna', event: 'outer' });
      expect(seen).toEqual([]);
    });
    expect(seen.map(([, c]) => c.type === 'exists' && [c.folderId, c.uid])).toEqual([[f.inbox, 1], [f.sent, 1]]);
    expect(logs.map((l) => l.event)).toEqual(['outer']);
    expect(h.store.queryLog({}).map((l) => l.event)).toEqual(['outer']);
    expect(h.store.listMessages(f.inbox).map((m) => m.uid)).toEqual([1]);
  });

  it('an outer rollback discards events of committed inner transactions', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const seen = record(h);
    expect(() =>
      h.store.transaction(() => {
        h.store.transaction(() => h.store.appendMessage(f.inbox, msg(1)));
        h.store.createFolder(ALICE, 'Z');
        throw new Error('outer');
      }),
    ).toThrow('outer');
    expect(seen).toEqual([]);
    expect(h.store.getFolder(ALICE, 'Z')).toBeUndefined();
    expect(h.store.listMessages(f.inbox)).toEqual([]);
  });

  it('refuses an async transaction function and rolls its synchronous part back', () => {
    const h = harness(mode);
    withAccounts(h);
    const seen = record(h);
    expect(() => h.store.transaction((async () => h.store.createFolder(ALICE, 'Async')) as () => unknown)).toThrow(/promise/);
    expect(h.store.getFolder(ALICE, 'Async')).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it('a store method that fails inside a transaction leaves the transaction usable', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    h.store.transaction(() => {
      h.store.appendMessage(f.inbox, msg(1));
      expect(() => h.store.createFolder(ALICE, 'Sent')).toThrow();
      h.store.appendMessage(f.inbox, msg(2));
    });
    expect(h.store.listMessages(f.inbox).map((m) => m.uid)).toEqual([1, 2]);
  });

  it('listener exceptions do not break the store or other listeners', () => {
    const errors: unknown[] = [];
    const h = harness(mode, { onListenerError: (err) => errors.push(err) });
    const f = withAccounts(h);
    h.store.onChange(() => {
      throw new Error('listener bug');
    });
    const seen = record(h);
    h.store.onLog(() => {
      throw new Error('log listener bug');
    });
    const m = h.store.appendMessage(f.inbox, msg(1));
    h.store.appendLog({ at: 1, gestore: 'alfa', actor: 'smtp', event: 'x' });
    expect(m.uid).toBe(1);
    expect(seen).toHaveLength(1);
    expect(errors.map((e) => (e as Error).message)).toEqual(['listener bug', 'log listener bug']);
    expect(h.store.listMessages(f.inbox)).toHaveLength(1);
  });

  it('unsubscribe stops delivery; a listener may write to the store and its events follow in order', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const order: string[] = [];
    const off = h.store.onChange((_a, c) => {
      order.push(`${c.type}:${c.type === 'exists' ? c.folderId : ''}`);
      // e.g. an auto-filer that copies each new INBOX message to Trash
      if (c.type === 'exists' && c.folderId === f.inbox) h.store.copyMessages(f.inbox, [c.uid], f.trash);
    });
    h.store.transaction(() => {
      h.store.appendMessage(f.inbox, msg(1));
      h.store.appendMessage(f.inbox, msg(2));
    });
    expect(order).toEqual([`exists:${f.inbox}`, `exists:${f.inbox}`, `exists:${f.trash}`, `exists:${f.trash}`]);
    expect(h.store.listMessages(f.trash)).toHaveLength(2);
    off();
    h.store.appendMessage(f.inbox, msg(3));
    expect(order).toHaveLength(4);
  });

  it('onLog listeners get the record with its id after commit', () => {
    const h = harness(mode);
    const logs: LogRecord[] = [];
    const off = h.store.onLog((r) => logs.push(r));
    const r1 = h.store.appendLog({ at: 5, gestore: 'alfa', actor: 'accesso', event: 'accettazione', identificativo: 'opec-1', detail: { n: 1 } });
    expect(logs).toEqual([r1]);
    h.store.transaction(() => {
      h.store.appendLog({ at: 6, gestore: 'alfa', actor: 'accesso', event: 'a' });
      expect(logs).toHaveLength(1);
    });
    expect(logs).toHaveLength(2);
    expect(() =>
      h.store.transaction(() => {
        h.store.appendLog({ at: 7, gestore: 'alfa', actor: 'accesso', event: 'b' });
        throw new Error('x');
      }),
    ).toThrow('x');
    expect(logs).toHaveLength(2);
    off();
    h.store.appendLog({ at: 8, gestore: 'alfa', actor: 'accesso', event: 'c' });
    expect(logs).toHaveLength(2);
  });

  it('reset reports one expunge per folder that had messages', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    h.store.appendMessage(f.inbox, msg(1));
    h.store.appendMessage(f.inbox, msg(2));
    h.store.appendMessage(f.bobInbox, msg(3));
    const seen = record(h);
    h.store.reset();
    expect(seen).toEqual([
      [ALICE, { type: 'expunge', folderId: f.inbox, uids: [1, 2] }],
      [BOB, { type: 'expunge', folderId: f.bobInbox, uids: [1] }],
    ]);
  });
});
