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

describe.each(MODES)('accounts [%s]', (mode) => {
  it('creates an account with a lowercased address, defaults, INBOX, Sent and Trash', () => {
    const { store, clock } = harness(mode);
    const account = store.createAccount({ address: 'Mario.Rossi@PEC.Beta.test', password: 'pec', gestore: 'beta' });
    expect(account).toEqual({
      address: 'mario.rossi@pec.beta.test',
      password: 'pec',
      gestore: 'beta',
      quotaBytes: null,
      enabled: true,
      createdAt: clock.t,
    });
    expect(store.getAccount('MARIO.ROSSI@pec.beta.test')).toEqual(account);
    const folders = store.listFolders('mario.rossi@pec.beta.test');
    expect(folders.map((f) => [f.name, f.specialUse, f.subscribed, f.uidNext])).toEqual([
      ['INBOX', null, true, 1],
      ['Sent', '\\Sent', true, 1],
      ['Trash', '\\Trash', true, 1],
    ]);
    for (const f of folders) {
      expect(f.address).toBe('mario.rossi@pec.beta.test');
      expect(Number.isInteger(f.uidValidity) && f.uidValidity > 0 && f.uidValidity <= 0xffffffff).toBe(true);
    }
    expect(new Set(folders.map((f) => f.uidValidity)).size).toBe(3);
  });

  it('refuses a duplicate address (any case) and invalid input', () => {
    const { store } = harness(mode);
    store.createAccount({ address: ALICE, password: 'pec', gestore: 'alfa' });
    expect(code(() => store.createAccount({ address: ALICE.toUpperCase(), password: 'x', gestore: null }))).toBe('EXISTS');
    expect(code(() => store.createAccount({ address: '', password: 'x', gestore: null }))).toBe('INVALID');
    expect(code(() => store.createAccount({ address: 'c@d.test', password: 'x', gestore: null, quotaBytes: -1 }))).toBe('INVALID');
    expect(store.listAccounts().map((a) => a.address)).toEqual([ALICE]);
  });

  it('stores quota, enabled and gestore null; lists accounts by address', () => {
    const { store } = harness(mode);
    store.createAccount({ address: 'z@posta.ordinaria.test', password: 'a', gestore: null, quotaBytes: 1000, enabled: false });
    store.createAccount({ address: ALICE, password: 'pec', gestore: 'alfa' });
    expect(store.listAccounts().map((a) => [a.address, a.gestore, a.quotaBytes, a.enabled])).toEqual([
      [ALICE, 'alfa', null, true],
      ['z@posta.ordinaria.test', null, 1000, false],
    ]);
  });

  it('updates password, quota and enabled; NOT_FOUND for an unknown account', () => {
    const { store } = harness(mode);
    store.createAccount({ address: ALICE, password: 'pec', gestore: 'alfa' });
    expect(store.updateAccount(ALICE, { password: 'new', quotaBytes: 5000 })).toMatchObject({ password: 'new', quotaBytes: 5000, enabled: true });
    expect(store.updateAccount('ALICE@pec.alfa.test', { enabled: false, quotaBytes: null })).toMatchObject({ password: 'new', quotaBytes: null, enabled: false });
    expect(store.getAccount(ALICE)).toMatchObject({ password: 'new', quotaBytes: null, enabled: false });
    expect(code(() => store.updateAccount('nobody@x.test', { enabled: true }))).toBe('NOT_FOUND');
  });

  it('usedBytes sums the sizes of all the account messages in every folder', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    expect(h.store.usedBytes(ALICE)).toBe(0);
    h.store.appendMessage(f.inbox, Buffer.alloc(1000));
    h.store.appendMessage(f.sent, Buffer.alloc(234));
    h.store.appendMessage(f.bobInbox, Buffer.alloc(99));
    h.store.copyMessages(f.inbox, [1], f.trash);
    expect(h.store.usedBytes(ALICE)).toBe(2234);
    expect(h.store.usedBytes(BOB)).toBe(99);
    expect(h.store.usedBytes('nobody@x.test')).toBe(0);
  });

  it('appendMessage does not enforce quota (the engine decides)', () => {
    const h = harness(mode);
    h.store.createAccount({ address: ALICE, password: 'pec', gestore: 'alfa', quotaBytes: 10 });
    const inbox = h.store.getFolder(ALICE, 'INBOX')!.id;
    h.store.appendMessage(inbox, Buffer.alloc(100));
    expect(h.store.usedBytes(ALICE)).toBe(100);
  });

  it('deleteAccount removes the account, its folders and its messages, and nothing else', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const m = h.store.appendMessage(f.inbox, msg(1));
    h.store.appendMessage(f.bobInbox, msg(2));
    expect(h.store.deleteAccount('Alice@pec.alfa.test')).toBe(true);
    expect(h.store.deleteAccount(ALICE)).toBe(false);
    expect(h.store.getAccount(ALICE)).toBeUndefined();
    expect(h.store.listFolders(ALICE)).toEqual([]);
    expect(h.store.getFolderById(f.inbox)).toBeUndefined();
    expect(h.store.getMessage(m.id)).toBeUndefined();
    expect(() => h.store.getRaw(m.id)).toThrow(StoreError);
    expect(h.store.findMessages({})).toHaveLength(1);
    expect(h.store.listMessages(f.bobInbox)).toHaveLength(1);
    // the address can be created again, with fresh folders
    h.store.createAccount({ address: ALICE, password: 'pec', gestore: 'alfa' });
    expect(h.store.getFolder(ALICE, 'INBOX')!.id).not.toBe(f.inbox);
  });
});

describe.each(MODES)('folders [%s]', (mode) => {
  it('INBOX is case-insensitive and always spelled INBOX; other names are case-sensitive', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    expect(h.store.getFolder(ALICE, 'inbox')).toMatchObject({ id: f.inbox, name: 'INBOX' });
    expect(h.store.getFolder(ALICE, 'InBoX')?.name).toBe('INBOX');
    expect(h.store.getFolder(ALICE, 'sent')).toBeUndefined();
    const lower = h.store.createFolder(ALICE, 'sent');
    expect(lower.name).toBe('sent');
    expect(h.store.getFolder(ALICE, 'Sent')!.id).toBe(f.sent);
    expect(code(() => h.store.createFolder(ALICE, 'inbox'))).toBe('EXISTS');
    const child = h.store.createFolder(ALICE, 'inbox/Pratiche');
    expect(child.name).toBe('INBOX/Pratiche');
    expect(h.store.getFolder(ALICE, 'Inbox/Pratiche')?.id).toBe(child.id);
  });

  it('lists INBOX first, then by name; getFolderById; getFolder of unknown/invalid names', () => {
    const h = harness(mode);
    withAccounts(h);
    h.store.createFolder(ALICE, 'Archivio', '\\Archive');
    h.store.createFolder(ALICE, 'AAA');
    expect(h.store.listFolders(ALICE).map((f) => f.name)).toEqual(['INBOX', 'AAA', 'Archivio', 'Sent', 'Trash']);
    const archivio = h.store.getFolder(ALICE, 'Archivio')!;
    expect(archivio.specialUse).toBe('\\Archive');
    expect(h.store.getFolderById(archivio.id)).toEqual(archivio);
    expect(h.store.getFolderById(99999)).toBeUndefined();
    expect(h.store.getFolder(ALICE, 'nope')).toBeUndefined();
    expect(h.store.getFolder(ALICE, '')).toBeUndefined();
    expect(h.store.getFolder('nobody@x.test', 'INBOX')).toBeUndefined();
  });

  it('creates missing parents, refuses existing, invalid names, unknown special use and unknown accounts', () => {
    const h = harness(mode);
    withAccounts(h);
    h.store.createFolder(ALICE, 'Pratiche/2025/Gennaio');
    expect(h.store.listFolders(ALICE).map((f) => f.name)).toEqual(
      expect.arrayContaining(['Pratiche', 'Pratiche/2025', 'Pratiche/2025/Gennaio']),
    );
    expect(code(() => h.store.createFolder(ALICE, 'Pratiche/2025'))).toBe('EXISTS');
    for (const bad of ['', '/x', 'x/', 'a//b', 'a*', 'b%', 'c\r\nd']) {
      expect(code(() => h.store.createFolder(ALICE, bad))).toBe('INVALID');
    }
    expect(code(() => h.store.createFolder(ALICE, 'X', '\\Bogus' as never))).toBe('INVALID');
    expect(code(() => h.store.createFolder('nobody@x.test', 'X'))).toBe('NOT_FOUND');
  });

  it('never reuses a UIDVALIDITY, also for the same name after delete and create', () => {
    const h = harness(mode);
    withAccounts(h);
    const seen = new Set(h.store.listFolders(ALICE).map((f) => f.uidValidity));
    for (let i = 0; i < 5; i++) {
      const f = h.store.createFolder(ALICE, 'Temp');
      expect(seen.has(f.uidValidity)).toBe(false);
      seen.add(f.uidValidity);
      h.store.deleteFolder(ALICE, 'Temp');
    }
  });

  it('deleteFolder removes the folder and its messages, keeps children, refuses INBOX and unknown names', () => {
    const h = harness(mode);
    withAccounts(h);
    const parent = h.store.createFolder(ALICE, 'P');
    const child = h.store.createFolder(ALICE, 'P/C');
    const m = h.store.appendMessage(parent.id, msg(1));
    const c = h.store.appendMessage(child.id, msg(2));
    h.store.deleteFolder(ALICE, 'P');
    expect(h.store.getFolder(ALICE, 'P')).toBeUndefined();
    expect(h.store.getMessage(m.id)).toBeUndefined();
    expect(h.store.getFolder(ALICE, 'P/C')?.id).toBe(child.id);
    expect(h.store.getMessage(c.id)).toBeDefined();
    expect(code(() => h.store.deleteFolder(ALICE, 'inbox'))).toBe('INVALID');
    expect(code(() => h.store.deleteFolder(ALICE, 'P'))).toBe('NOT_FOUND');
    expect(h.store.getFolder(ALICE, 'INBOX')).toBeDefined();
  });

  it('renames a folder with its children, keeping ids, UIDVALIDITY and messages', () => {
    const h = harness(mode);
    withAccounts(h);
    const a = h.store.createFolder(ALICE, 'A');
    const ab = h.store.createFolder(ALICE, 'A/B');
    const abc = h.store.createFolder(ALICE, 'A/B/C');
    const other = h.store.createFolder(ALICE, 'AB');
    const m = h.store.appendMessage(ab.id, msg(1));
    h.store.renameFolder(ALICE, 'A', 'X/Y');
    const names = h.store.listFolders(ALICE).map((f) => f.name);
    expect(names).toEqual(['INBOX', 'AB', 'Sent', 'Trash', 'X', 'X/Y', 'X/Y/B', 'X/Y/B/C']);
    expect(h.store.getFolder(ALICE, 'X/Y')).toMatchObject({ id: a.id, uidValidity: a.uidValidity });
    expect(h.store.getFolder(ALICE, 'X/Y/B')).toMatchObject({ id: ab.id, uidValidity: ab.uidValidity, uidNext: 2 });
    expect(h.store.getFolder(ALICE, 'X/Y/B/C')?.id).toBe(abc.id);
    expect(h.store.getFolder(ALICE, 'AB')?.id).toBe(other.id);
    expect(h.store.getMessage(m.id)?.folderId).toBe(ab.id);
    // a new folder with an old name gets a new UIDVALIDITY
    expect(h.store.createFolder(ALICE, 'A').uidValidity).not.toBe(a.uidValidity);
  });

  it('rename refuses unknown source, existing target, INBOX as target, and moving under itself', () => {
    const h = harness(mode);
    withAccounts(h);
    h.store.createFolder(ALICE, 'A/B');
    expect(code(() => h.store.renameFolder(ALICE, 'Nope', 'Z'))).toBe('NOT_FOUND');
    expect(code(() => h.store.renameFolder(ALICE, 'A', 'Sent'))).toBe('EXISTS');
    expect(code(() => h.store.renameFolder(ALICE, 'A', 'inbox'))).toBe('EXISTS');
    expect(code(() => h.store.renameFolder(ALICE, 'A', 'A/B/C'))).toBe('INVALID');
    // a child's new name that already exists on its own (its parent was deleted) is a conflict too
    h.store.createFolder(ALICE, 'Z/B');
    h.store.deleteFolder(ALICE, 'Z');
    expect(code(() => h.store.renameFolder(ALICE, 'A', 'Z'))).toBe('EXISTS');
    expect(h.store.getFolder(ALICE, 'A')).toBeDefined();
    expect(h.store.getFolder(ALICE, 'A/B')).toBeDefined();
  });

  it('rename to a name inside the moved tree works (two-pass rename)', () => {
    const h = harness(mode);
    withAccounts(h);
    const b = h.store.createFolder(ALICE, 'A/B');
    const bb = h.store.createFolder(ALICE, 'A/B/B');
    const bbz = h.store.createFolder(ALICE, 'A/B/B/Z');
    h.store.deleteFolder(ALICE, 'A');
    h.store.renameFolder(ALICE, 'A/B', 'A');
    expect(h.store.getFolder(ALICE, 'A')?.id).toBe(b.id);
    expect(h.store.getFolder(ALICE, 'A/B')?.id).toBe(bb.id);
    expect(h.store.getFolder(ALICE, 'A/B/Z')?.id).toBe(bbz.id);
  });

  it('renaming INBOX moves its messages to a new folder and leaves an empty INBOX (RFC 3501)', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    const child = h.store.createFolder(ALICE, 'INBOX/Sub');
    const m1 = h.store.appendMessage(f.inbox, msg(1), { flags: ['\\Seen'] });
    const m2 = h.store.appendMessage(f.inbox, msg(2));
    const before = h.store.getFolderById(f.inbox)!;
    h.store.renameFolder(ALICE, 'inbox', 'Old/Posta');
    const inbox = h.store.getFolder(ALICE, 'INBOX')!;
    expect(inbox).toMatchObject({ id: f.inbox, uidValidity: before.uidValidity, uidNext: 3 });
    expect(h.store.listMessages(f.inbox)).toEqual([]);
    const moved = h.store.getFolder(ALICE, 'Old/Posta')!;
    expect(moved.uidValidity).not.toBe(before.uidValidity);
    expect(moved.uidNext).toBe(3);
    expect(h.store.listMessages(moved.id).map((m) => [m.id, m.uid, m.flags])).toEqual([
      [m1.id, 1, ['\\Seen']],
      [m2.id, 2, []],
    ]);
    expect(h.store.getFolder(ALICE, 'Old')).toBeDefined();
    // children of INBOX are not affected
    expect(h.store.getFolder(ALICE, 'INBOX/Sub')?.id).toBe(child.id);
    // new mail in INBOX continues the UID sequence
    expect(h.store.appendMessage(f.inbox, msg(3)).uid).toBe(3);
  });

  it('setSubscribed toggles the flag; NOT_FOUND for an unknown folder', () => {
    const h = harness(mode);
    withAccounts(h);
    h.store.setSubscribed(ALICE, 'Trash', false);
    expect(h.store.getFolder(ALICE, 'Trash')?.subscribed).toBe(false);
    h.store.setSubscribed(ALICE, 'Trash', true);
    expect(h.store.getFolder(ALICE, 'Trash')?.subscribed).toBe(true);
    expect(code(() => h.store.setSubscribed(ALICE, 'Nope', true))).toBe('NOT_FOUND');
  });

  it('resetUidValidity renumbers from 1 in UID order and gives a new UIDVALIDITY', () => {
    const h = harness(mode);
    const f = withAccounts(h);
    for (let i = 1; i <= 6; i++) h.store.appendMessage(f.inbox, msg(i), { flags: i === 5 ? ['$Important'] : [] });
    h.store.setFlags(f.inbox, [1, 3, 4], ['\\Deleted'], 'add');
    h.store.expunge(f.inbox);
    const before = h.store.listMessages(f.inbox);
    expect(before.map((m) => m.uid)).toEqual([2, 5, 6]);
    const old = h.store.getFolderById(f.inbox)!.uidValidity;
    const v = h.store.resetUidValidity(f.inbox);
    expect(v).not.toBe(old);
    expect(v).toBeGreaterThan(0);
    expect(h.store.getFolderById(f.inbox)).toMatchObject({ uidValidity: v, uidNext: 4 });
    const after = h.store.listMessages(f.inbox);
    expect(after.map((m) => [m.id, m.uid])).toEqual(before.map((m, i) => [m.id, i + 1]));
    expect(after[1].flags).toEqual(['$Important']);
    expect(h.store.getRaw(after[0].id).toString()).toBe(msg(2).toString());
    expect(h.store.appendMessage(f.inbox, msg(7)).uid).toBe(4);
    expect(code(() => h.store.resetUidValidity(99999))).toBe('NOT_FOUND');
  });
});
