// "Leave messages on server" clients remember UIDLs between runs: the same message must keep
// the same UIDL after the testbed restarts on the same on-disk store.

import { afterEach, describe, expect, it } from 'vitest';
import { startPop3Server } from '../../src/pop3/index.js';
import { poplib, tempDir } from './helpers.js';
import { addMailbox, authenticator, makeStore } from './setup.js';

const dirs: Array<ReturnType<typeof tempDir>> = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

async function uidlsAndBodies(path: string): Promise<{ uidls: string[]; bodies: string[] }> {
  const store = makeStore(path);
  const server = await startPop3Server({ store, host: '127.0.0.1', port: 0, authenticate: authenticator(store) });
  try {
    const r = await poplib([
      { op: 'connect', port: server.port },
      { op: 'login', user: 'persist@pec.beta.test', password: 'pec' },
      { op: 'uidl' }, { op: 'retr', n: 1 }, { op: 'retr', n: 2 }, { op: 'quit' },
    ]);
    for (const step of r) if (!step.ok) throw new Error(step.error);
    const value = (i: number): unknown => (r[i] as { value: unknown }).value;
    return { uidls: value(2) as string[], bodies: [value(3), value(4)].map((v) => Buffer.from(String(v), 'base64').toString()) };
  } finally {
    await server.close();
    store.close();
  }
}

describe('UIDL across restarts', () => {
  it('is the same for the same message after the store is closed and reopened', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const seed = makeStore(dir.path);
    addMailbox(seed, 'persist@pec.beta.test', ['Subject: uno\r\n\r\n1\r\n', 'Subject: due\r\n\r\n2\r\n'], 'pec');
    seed.close();

    const first = await uidlsAndBodies(dir.path);
    const second = await uidlsAndBodies(dir.path);
    expect(first.uidls).toHaveLength(2);
    expect(second).toEqual(first);
    expect(new Set(first.uidls.map((l) => l.split(' ')[1])).size).toBe(2);
    for (const l of first.uidls) expect(l).toMatch(/^\d+ [\x21-\x7e]{1,70}$/);
  });
});
