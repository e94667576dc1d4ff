// Accounts (mailboxes) and their quota arithmetic. An account is born with INBOX, Sent and Trash
// and dies with all its folders and messages. Addresses arrive here already lowercased.

import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import type { Folders } from './folders.js';
import { INBOX } from './names.js';
import type { Account, NewAccount } from './types.js';

interface AccountRow {
  address: string;
  password: string;
  gestore: string | null;
  quota_bytes: number | null;
  enabled: number;
  created_at: number;
}

function toAccount(row: AccountRow): Account {
  return {
    address: row.address,
    password: row.password,
    gestore: row.gestore,
    quotaBytes: row.quota_bytes,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
  };
}

function checkQuota(quota: unknown): number | null {
  if (quota === null || quota === undefined) return null;
  if (typeof quota !== 'number' || !Number.isSafeInteger(quota) || quota < 0) {
    throw new StoreError('INVALID', `quotaBytes must be a non-negative integer or null, got ${String(quota)}`);
  }
  return quota;
}

function checkPassword(password: unknown): string {
  if (typeof password !== 'string') throw new StoreError('INVALID', 'password must be a string');
  return password;
}

export class Accounts {
  constructor(
    private readonly ctx: StoreContext,
    private readonly folders: Folders,
  ) {}

  create(address: string, account: NewAccount): Account {
    const password = checkPassword(account.password);
    const quota = checkQuota(account.quotaBytes);
    const gestore = account.gestore ?? null;
    return this.ctx.transaction(() => {
      if (this.get(address)) throw new StoreError('EXISTS', `account ${address} exists`);
      this.ctx
        .stmt(
          `INSERT INTO accounts (address, password, gestore, quota_bytes, enabled, created_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(address, password, gestore, quota, account.enabled === false ? 0 : 1, this.ctx.now());
      this.folders.insert(address, INBOX, null, 1);
      this.folders.insert(address, 'Sent', '\\Sent', 1);
      this.folders.insert(address, 'Trash', '\\Trash', 1);
      this.ctx.emit({ kind: 'change', address, change: { type: 'folders' } });
      return this.get(address)!;
    });
  }

  get(address: string): Account | undefined {
    const row = this.ctx.stmt<AccountRow>('SELECT * FROM accounts WHERE address = ?').get(address);
    return row && toAccount(row);
  }

  list(): Account[] {
    return this.ctx.stmt<AccountRow>('SELECT * FROM accounts ORDER BY address').all().map(toAccount);
  }

  update(address: string, patch: Partial<Pick<Account, 'password' | 'quotaBytes' | 'enabled'>>): Account {
    return this.ctx.transaction(() => {
      const current = this.get(address);
      if (!current) throw new StoreError('NOT_FOUND', `no account ${address}`);
      const password = patch.password === undefined ? current.password : checkPassword(patch.password);
      const quota = patch.quotaBytes === undefined ? current.quotaBytes : checkQuota(patch.quotaBytes);
      const enabled = patch.enabled === undefined ? current.enabled : patch.enabled === true;
      this.ctx
        .stmt('UPDATE accounts SET password = ?, quota_bytes = ?, enabled = ? WHERE address = ?')
        .run(password, quota, enabled ? 1 : 0, address);
      return this.get(address)!;
    });
  }

  delete(address: string): boolean {
    return this.ctx.transaction(() => {
      if (!this.get(address)) return false;
      this.ctx.stmt('DELETE FROM messages WHERE folder_id IN (SELECT id FROM folders WHERE address = ?)').run(address);
      this.ctx.stmt('DELETE FROM folders WHERE address = ?').run(address);
      this.ctx.stmt('DELETE FROM accounts WHERE address = ?').run(address);
      this.ctx.emit({ kind: 'change', address, change: { type: 'folders' } });
      return true;
    });
  }

  usedBytes(address: string): number {
    return this.ctx
      .pluck<number>('SELECT coalesce(sum(m.size), 0) FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.address = ?')
      .get(address)!;
  }
}
