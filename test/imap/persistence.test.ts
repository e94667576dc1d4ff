// UIDs and UIDVALIDITY come from the store and survive a restart: the same on-disk store
// reopened under a new server shows the same numbers, and UIDs are never reused.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { PASSWORD, simpleMessage, startFixture, USER } from './helpers.js';

async function session<T>(port: number, ca: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user: USER, pass: PASSWORD }, tls: { ca }, logger: false });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout();
  }
}

describe('persistence', () => {
  it('keeps UIDVALIDITY and UIDs across a store reopen and a server restart', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'imap-store-')), 'store.sqlite');
    const first = await startFixture({ store: openStore({ path: file }) });
    const before = await session(first.port, first.caPem, async (c) => {
      for (let i = 1; i <= 4; i++) await c.append('INBOX', simpleMessage(`p${i}`));
      const box = await c.mailboxOpen('INBOX');
      await c.messageFlagsAdd('4', ['\\Deleted', '\\Seen'], { uid: true });
      await c.messageDelete('4', { uid: true }); // the highest UID is gone: it must not come back
      const uids: number[] = [];
      for await (const m of c.fetch('1:*', { uid: true })) uids.push(m.uid);
      return { uidValidity: box.uidValidity, uids };
    });
    expect(before.uids).toEqual([1, 2, 3]);
    await first.close();

    const second = await startFixture({ store: openStore({ path: file }) });
    try {
      const after = await session(second.port, second.caPem, async (c) => {
        const box = await c.mailboxOpen('INBOX');
        const seen: Array<[number, string]> = [];
        for await (const m of c.fetch('1:*', { uid: true, envelope: true, flags: true })) seen.push([m.uid, m.envelope!.subject!]);
        const appended = await c.append('INBOX', simpleMessage('p5'));
        return { uidValidity: box.uidValidity, uidNext: box.uidNext, seen, appended };
      });
      expect(after.uidValidity).toBe(before.uidValidity);
      expect(after.seen).toEqual([[1, 'p1'], [2, 'p2'], [3, 'p3']]);
      expect(after.uidNext).toBe(5);
      expect(after.appended).toMatchObject({ uid: 5, uidValidity: before.uidValidity });
    } finally {
      await second.close();
    }
  });
});
