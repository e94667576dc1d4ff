import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/index.js';
import { ALICE, BOB, harness, MODES, msg, withAccounts } from './helpers.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError);
    return (err as StoreError).code;
  }
  return undefined;
}

describe.each(MODES)('messages [%s]', (mode) => {
  it('stores raw bytes exactly: CRLF, bare LF/CR, 8-bit, every byte value, empty', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const every = Buffer.from(Array.from({ length: 256 * 4 }, (_, i) => i % 256));
    const eightBit = Buffer.concat([
      Buffer.from('Subject: =?UTF-8?B?w6g=?=\r\nContent-Transfer-Encoding: 8bit\r\n\r\n', 'latin1'),
      Buffer.from('Città di Mineo — perché\r\nline\nbare LF\rbare CR\r\n\r\n.\r\n', 'utf8'),
    ]);
    const noNul = Buffer.from(Array.from({ length: 5000 }, (_, i) => 1 + ((i * 37) % 255)));
    // a view into a larger ArrayBuffer must store only its own bytes
    const pool = Buffer.from('XXXXhello\r\nYYYY');
    const view = pool.subarray(4, 11);
    for (const raw of [every, eightBit, noNul, Buffer.alloc(0), view, new Uint8Array([13, 10, 0, 255]) as Buffer]) {
      const m = h.store.appendMessage(f.inbox, raw);
      expect(m.size).toBe(raw.length);
      const back = h.store.getRaw(m.id);
      expect(Buffer.isBuffer(back)).toBe(true);
      expect(back.equals(Buffer.from(raw))).toBe(true);
    }
    expect(h.store.getRaw(h.store.listMessages(f.inbox)[4].id).toString()).toBe('hello\r\n');
    const reopened = h.reopen();
    if (reopened) expect(reopened.getRaw(h.store.listMessages(f.inbox)[0].id).equals(every)).toBe(true);
  });

  it('appendMessage returns the record with UID, flags, internalDate (clock default), size and meta', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const a = h.store.appendMessage(f.inbox, msg(1));
    expect(a).toEqual({
      id: a.id, folderId: f.inbox, uid: 1, flags: [], internalDate: h.clock.t, size: msg(1).length,
      kind: null, refMessageId: null, identificativo: null, messageId: null, subject: null, from: null,
    });
    const b = h.store.appendMessage(f.inbox, msg(2), {
      flags: ['\\Seen'],
      internalDate: 42,
      meta: { kind: 'avvenuta-consegna', refMessageId: '<x@y>', identificativo: 'opec1', messageId: '<m@y>', subject: 'S', from: 'p@q' },
    });
    expect(b).toMatchObject({ uid: 2, flags: ['\\Seen'], internalDate: 42, kind: 'avvenuta-consegna', refMessageId: '<x@y>', identificativo: 'opec1', messageId: '<m@y>', subject: 'S', from: 'p@q' });
    expect(b.id).toBeGreaterThan(a.id);
    expect(h.store.getMessage(b.id)).toEqual(b);
    expect(h.store.getMessageByUid(f.inbox, 2)).toEqual(b);
    expect(h.store.getMessageByUid(f.inbox, 3)).toBeUndefined();
    expect(h.store.getMessage(9999)).toBeUndefined();
    expect(h.store.getFolderById(f.inbox)?.uidNext).toBe(3);
    expect(code(() => h.store.getRaw(9999))).toBe('NOT_FOUND');
    expect(code(() => h.store.appendMessage(9999, msg(1)))).toBe('NOT_FOUND');
    expect(code(() => h.store.appendMessage(f.inbox, 'text' as unknown as Buffer))).toBe('INVALID');
    expect(code(() => h.store.appendMessage(f.inbox, msg(1), { internalDate: 1.5 }))).toBe('INVALID');
    expect(code(() => h.store.appendMessage(f.inbox, msg(1), { flags: ['\\Bogus'] }))).toBe('INVALID');
    expect(code(() => h.store.appendMessage(f.inbox, msg(1), { flags: ['two words'] }))).toBe('INVALID');
    // failed appends consumed no UID
    expect(h.store.appendMessage(f.inbox, msg(3)).uid).toBe(3);
  });

  it('UIDs are strictly ascending per folder and never reused after expunge', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    for (let i = 0; i < 3; i++) h.store.appendMessage(f.inbox, msg(i));
    expect(h.store.appendMessage(f.sent, msg('s')).uid).toBe(1);
    h.store.setFlags(f.inbox, [2, 3], ['\\Deleted'], 'add');
    expect(h.store.expunge(f.inbox)).toEqual([2, 3]);
    expect(h.store.appendMessage(f.inbox, msg(4)).uid).toBe(4);
    expect(h.store.listMessages(f.inbox).map((m) => m.uid)).toEqual([1, 4]);
  });

  it('normalizes flags: canonical system flags, keywords keep case, case-insensitive dedupe, no \\Recent', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const m = h.store.appendMessage(f.inbox, msg(1), {
      flags: ['$Label1', '\\flagged', '\\SEEN', '$label1', '\\Recent', 'NonJunk', '\\Seen', '\\draft', '\\answered', '\\deleted'],
    });
    expect(m.flags).toEqual(['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft', '$Label1', 'NonJunk']);
    expect(h.store.getMessage(m.id)?.flags).toEqual(m.flags);
  });

  it('setFlags set/add/remove returns the updated records of existing UIDs in UID order', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    for (let i = 0; i < 4; i++) h.store.appendMessage(f.inbox, msg(i), { flags: i === 0 ? ['\\Seen', 'Keep'] : [] });
    const added = h.store.setFlags(f.inbox, [3, 1, 99, 3], ['\\flagged', '$Work'], 'add');
    expect(added.map((m) => [m.uid, m.flags])).toEqual([
      [1, ['\\Seen', '\\Flagged', 'Keep', '$Work']],
      [3, ['\\Flagged', '$Work']],
    ]);
    const removed = h.store.setFlags(f.inbox, [1, 3], ['\\FLAGGED', '$work', '\\Answered'], 'remove');
    expect(removed.map((m) => m.flags)).toEqual([['\\Seen', 'Keep'], []]);
    const set = h.store.setFlags(f.inbox, [2], ['\\Answered', '\\Recent'], 'set');
    expect(set.map((m) => m.flags)).toEqual([['\\Answered']]);
    expect(h.store.setFlags(f.inbox, [1], [], 'set')[0].flags).toEqual([]);
    expect(h.store.listMessages(f.inbox).map((m) => m.flags)).toEqual([[], ['\\Answered'], [], []]);
    expect(code(() => h.store.setFlags(f.inbox, [1], ['\\Nope'], 'add'))).toBe('INVALID');
    expect(code(() => h.store.setFlags(f.inbox, [1], ['\\Seen'], 'toggle' as never))).toBe('INVALID');
    expect(code(() => h.store.setFlags(9999, [1], ['\\Seen'], 'add'))).toBe('NOT_FOUND');
  });

  it('expunge removes only \\Deleted messages, optionally only among given UIDs', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    for (let i = 0; i < 5; i++) h.store.appendMessage(f.inbox, msg(i), { flags: i % 2 === 0 ? ['\\Deleted'] : [] });
    expect(h.store.expunge(f.inbox, [5, 2, 1])).toEqual([1, 5]);
    expect(h.store.listMessages(f.inbox).map((m) => m.uid)).toEqual([2, 3, 4]);
    expect(h.store.expunge(f.inbox)).toEqual([3]);
    expect(h.store.expunge(f.inbox)).toEqual([]);
    expect(h.store.listMessages(f.inbox).map((m) => m.uid)).toEqual([2, 4]);
    expect(code(() => h.store.expunge(9999))).toBe('NOT_FOUND');
  });

  it('copyMessages keeps bytes, flags, internalDate and meta, new UIDs in source-UID order', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    h.store.appendMessage(f.trash, msg('t'));
    for (let i = 1; i <= 4; i++) {
      h.store.appendMessage(f.inbox, msg(i), { flags: i === 3 ? ['\\Seen', 'Tag'] : [], internalDate: 1000 + i, meta: { subject: `s${i}` } });
    }
    const pairs = h.store.copyMessages(f.inbox, [4, 1, 3, 77], f.trash);
    expect(pairs).toEqual([[1, 2], [3, 3], [4, 4]]);
    const copied = h.store.getMessageByUid(f.trash, 3)!;
    const source = h.store.getMessageByUid(f.inbox, 3)!;
    expect(copied).toMatchObject({ flags: ['\\Seen', 'Tag'], internalDate: 1003, subject: 's3', size: source.size });
    expect(copied.id).not.toBe(source.id);
    expect(h.store.getRaw(copied.id).equals(msg(3))).toBe(true);
    expect(h.store.listMessages(f.inbox)).toHaveLength(4);
    expect(h.store.getFolderById(f.trash)?.uidNext).toBe(5);
    // copies are independent: deleting the source keeps the copy's bytes
    h.store.deleteMessage(source.id);
    expect(h.store.getRaw(copied.id).equals(msg(3))).toBe(true);
    // copy into the same folder and across accounts
    expect(h.store.copyMessages(f.inbox, [1], f.inbox)).toEqual([[1, 5]]);
    expect(h.store.copyMessages(f.inbox, [1], f.bobInbox)).toEqual([[1, 1]]);
    expect(h.store.copyMessages(f.inbox, [], f.trash)).toEqual([]);
    expect(code(() => h.store.copyMessages(f.inbox, [1], 9999))).toBe('NOT_FOUND');
    expect(code(() => h.store.copyMessages(9999, [1], f.inbox))).toBe('NOT_FOUND');
  });

  it('moveMessages copies and removes the source in one step', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    for (let i = 1; i <= 3; i++) h.store.appendMessage(f.inbox, msg(i), { flags: i === 2 ? ['\\Flagged'] : [], internalDate: i });
    const pairs = h.store.moveMessages(f.inbox, [3, 2], f.trash);
    expect(pairs).toEqual([[2, 1], [3, 2]]);
    expect(h.store.listMessages(f.inbox).map((m) => m.uid)).toEqual([1]);
    expect(h.store.listMessages(f.trash).map((m) => [m.uid, m.flags, m.internalDate])).toEqual([
      [1, ['\\Flagged'], 2],
      [2, [], 3],
    ]);
    expect(h.store.getRaw(h.store.getMessageByUid(f.trash, 2)!.id).equals(msg(3))).toBe(true);
    expect(h.store.usedBytes(ALICE)).toBe(msg(1).length + msg(2).length + msg(3).length);
    expect(h.store.getFolderById(f.inbox)?.uidNext).toBe(4);
    // a failing move changes nothing
    expect(code(() => h.store.moveMessages(f.inbox, [1], 9999))).toBe('NOT_FOUND');
    expect(h.store.listMessages(f.inbox)).toHaveLength(1);
  });

  it('deleteMessage removes one message by id', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const a = h.store.appendMessage(f.inbox, msg(1));
    const b = h.store.appendMessage(f.inbox, msg(2));
    expect(h.store.deleteMessage(a.id)).toBe(true);
    expect(h.store.deleteMessage(a.id)).toBe(false);
    expect(h.store.listMessages(f.inbox).map((m) => m.id)).toEqual([b.id]);
    expect(code(() => h.store.getRaw(a.id))).toBe('NOT_FOUND');
  });

  it('listMessages returns metadata in UID order; [] for an unknown folder', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    h.store.appendMessage(f.inbox, msg(1));
    h.store.appendMessage(f.inbox, msg(2));
    h.store.resetUidValidity(f.inbox);
    const list = h.store.listMessages(f.inbox);
    expect(list.map((m) => m.uid)).toEqual([1, 2]);
    expect(list[0]).not.toHaveProperty('raw');
    expect(h.store.listMessages(9999)).toEqual([]);
  });

  it('findMessages filters on meta, address, folder, subject, since, afterId; ordered by id; limit/offset', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const a = h.store.appendMessage(f.inbox, msg(1), { internalDate: 100, meta: { kind: 'posta-certificata', identificativo: 'opec-1', subject: 'Richiesta CITTÀ di Mineo' } });
    const b = h.store.appendMessage(f.sent, msg(2), { internalDate: 200, meta: { kind: 'accettazione', refMessageId: '<c1@client>', identificativo: 'opec-1', subject: 'ACCETTAZIONE: Richiesta' } });
    const c = h.store.appendMessage(f.bobInbox, msg(3), { internalDate: 300, meta: { kind: 'posta-certificata', refMessageId: '<c1@client>', subject: 'POSTA CERTIFICATA: 100%_done' } });
    const d = h.store.appendMessage(f.inbox, msg(4), { internalDate: 400, meta: { kind: 'avvenuta-consegna', refMessageId: '<c1@client>' } });
    const ids = (q: Parameters<typeof h.store.findMessages>[0]): number[] => h.store.findMessages(q).map((m) => m.id);
    expect(ids({})).toEqual([a.id, b.id, c.id, d.id]);
    expect(ids({ address: 'ALICE@pec.alfa.test' })).toEqual([a.id, b.id, d.id]);
    expect(ids({ address: ALICE, folder: 'inbox' })).toEqual([a.id, d.id]);
    expect(ids({ folder: 'INBOX' })).toEqual([a.id, c.id, d.id]);
    expect(ids({ kind: 'posta-certificata' })).toEqual([a.id, c.id]);
    expect(ids({ refMessageId: '<c1@client>' })).toEqual([b.id, c.id, d.id]);
    expect(ids({ refMessageId: '<c1@client>', address: BOB })).toEqual([c.id]);
    expect(ids({ identificativo: 'opec-1' })).toEqual([a.id, b.id]);
    expect(ids({ subject: 'richiesta' })).toEqual([a.id, b.id]);
    expect(ids({ subject: 'città' })).toEqual([a.id]);
    expect(ids({ subject: '100%_' })).toEqual([c.id]);
    expect(ids({ subject: '%' })).toEqual([c.id]);
    expect(ids({ since: 250 })).toEqual([c.id, d.id]);
    expect(ids({ afterId: b.id })).toEqual([c.id, d.id]);
    expect(ids({ limit: 2 })).toEqual([a.id, b.id]);
    expect(ids({ limit: 2, offset: 1 })).toEqual([b.id, c.id]);
    expect(ids({ offset: 3 })).toEqual([d.id]);
    expect(ids({ limit: 0 })).toEqual([]);
    expect(ids({ address: 'nobody@x.test' })).toEqual([]);
    const hit = h.store.findMessages({ identificativo: 'opec-1', folder: 'Sent' })[0];
    expect(hit).toEqual({ ...h.store.getMessage(b.id)!, address: ALICE, folder: 'Sent' });
    expect(code(() => h.store.findMessages({ limit: -1 }))).toBe('INVALID');
  });

  it('findMessages by refMessageId, kind and identificativo use indexes', () => {
    const { store } = harness(mode);
    const plan = (where: string): string =>
      (store.database.prepare(`EXPLAIN QUERY PLAN SELECT m.id FROM messages m JOIN folders f ON f.id = m.folder_id WHERE ${where} ORDER BY m.id`).all('x') as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join('; ');
    expect(plan('m.ref_message_id = ?')).toMatch(/USING INDEX messages_ref/);
    expect(plan('m.identificativo = ?')).toMatch(/USING INDEX messages_ident/);
    expect(plan('m.kind = ?')).toMatch(/USING INDEX messages_kind/);
  });
});
