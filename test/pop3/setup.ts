// Shared fixtures of the POP3 suite: a store with mailboxes filled with given bytes, and the
// authenticate() callback the testbed would pass (account password, enabled accounts only).

import type { Folder, Store } from '../../src/store/types.js';
import { openStore } from '../../src/store/index.js';

/** The real store: in memory, or on disk when a path is given (file or directory). */
export function makeStore(path?: string): Store {
  return path ? openStore({ path }) : openStore({ inMemory: true });
}

export function authenticator(store: Store): (user: string, password: string) => Promise<string | null> {
  return async (user, password) => {
    const account = store.getAccount(user.toLowerCase());
    return account && account.enabled && account.password === password ? account.address : null;
  };
}

export function addMailbox(store: Store, address: string, messages: Array<Buffer | string>, password = 'pec'): Folder {
  store.createAccount({ address, password, gestore: null });
  const inbox = store.getFolder(address, 'INBOX')!;
  for (const m of messages) store.appendMessage(inbox.id, Buffer.isBuffer(m) ? m : Buffer.from(m));
  return store.getFolder(address, 'INBOX')!;
}

/** Stored bytes as RETR must deliver them: a missing final CRLF is added by the server. */
export function asRetrieved(raw: Buffer): Buffer {
  return raw.subarray(raw.length - 2).toString('latin1') === '\r\n' ? raw : Buffer.concat([raw, Buffer.from('\r\n')]);
}
