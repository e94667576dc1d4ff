// The Store contract over one SQLite connection: a thin façade that normalizes addresses and
// hands each call to the module that owns the concern. reset() lives here because it spans them.

import type Database from 'better-sqlite3';
import { Accounts } from './accounts.js';
import { Blobs } from './blobs.js';
import type { StoreContext } from './context.js';
import { FaultRules } from './fault-rules.js';
import { Flows } from './flows.js';
import { Folders } from './folders.js';
import { Jobs } from './jobs.js';
import { Log } from './log.js';
import { Meta } from './meta.js';
import { Messages } from './messages.js';
import { normalizeAddress } from './names.js';
import type {
  Account,
  AppendOptions,
  FaultRuleCounters,
  FaultRuleSet,
  FlagMode,
  Flow,
  Folder,
  Job,
  LogEntry,
  LogQuery,
  LogRecord,
  MailboxChange,
  MessageHit,
  MessageQuery,
  MessageRecord,
  NewAccount,
  NewJob,
  RecipientState,
  SpecialUse,
  Store,
  StoredFaultRule,
} from './types.js';

/** lookups never throw on a malformed address: it simply matches nothing */
function key(address: string): string {
  return String(address).trim().toLowerCase();
}

export class SqliteStore implements Store {
  private readonly folders: Folders;
  private readonly accounts: Accounts;
  private readonly messages: Messages;
  private readonly flows: Flows;
  private readonly blobs: Blobs;
  private readonly jobs: Jobs;
  private readonly log: Log;
  private readonly meta: Meta;
  private readonly faultRules: FaultRules;

  constructor(
    private readonly ctx: StoreContext,
    /** the file on disk, or ':memory:' */
    readonly location: string,
    /** releases what was opened with the connection (the background checkpointer) */
    private readonly onClose: () => void = () => {},
  ) {
    this.folders = new Folders(ctx);
    this.accounts = new Accounts(ctx, this.folders);
    this.messages = new Messages(ctx, this.folders);
    this.flows = new Flows(ctx);
    this.blobs = new Blobs(ctx);
    this.jobs = new Jobs(ctx);
    this.log = new Log(ctx);
    this.meta = new Meta(ctx);
    this.faultRules = new FaultRules(ctx);
  }

  /** the underlying connection, for diagnostics and benchmarks only */
  get database(): Database.Database {
    return this.ctx.db;
  }

  transaction<T>(fn: () => T): T {
    return this.ctx.transaction(fn);
  }

  groupTransaction<T>(fn: () => T): T {
    return this.ctx.groupTransaction(fn);
  }

  committed(): Promise<void> {
    return this.ctx.committed();
  }

  commitNow(): void {
    this.ctx.commitGroup();
  }

  get uncommitted(): boolean {
    return this.ctx.uncommitted;
  }

  close(): void {
    if (!this.ctx.db.open) return;
    try {
      this.ctx.commitGroup();
    } finally {
      this.onClose();
      this.ctx.db.close();
    }
  }

  // accounts
  createAccount(account: NewAccount): Account {
    return this.accounts.create(normalizeAddress(account.address), account);
  }
  getAccount(address: string): Account | undefined {
    return this.accounts.get(key(address));
  }
  listAccounts(): Account[] {
    return this.accounts.list();
  }
  updateAccount(address: string, patch: Partial<Pick<Account, 'password' | 'quotaBytes' | 'enabled'>>): Account {
    return this.accounts.update(key(address), patch);
  }
  deleteAccount(address: string): boolean {
    return this.accounts.delete(key(address));
  }
  usedBytes(address: string): number {
    return this.accounts.usedBytes(key(address));
  }

  // folders
  listFolders(address: string): Folder[] {
    return this.folders.list(key(address));
  }
  getFolder(address: string, name: string): Folder | undefined {
    return this.folders.get(key(address), name);
  }
  getFolderById(id: number): Folder | undefined {
    return this.folders.getById(id);
  }
  createFolder(address: string, name: string, specialUse: SpecialUse | null = null): Folder {
    return this.folders.create(key(address), name, specialUse);
  }
  deleteFolder(address: string, name: string): void {
    this.folders.delete(key(address), name);
  }
  renameFolder(address: string, from: string, to: string): void {
    this.folders.rename(key(address), from, to);
  }
  setSubscribed(address: string, name: string, subscribed: boolean): void {
    this.folders.setSubscribed(key(address), name, subscribed);
  }
  resetUidValidity(folderId: number): number {
    return this.folders.resetUidValidity(folderId);
  }

  // messages
  appendMessage(folderId: number, raw: Buffer, options?: AppendOptions): MessageRecord {
    return this.messages.append(folderId, raw, options);
  }
  listMessages(folderId: number): MessageRecord[] {
    return this.messages.list(folderId);
  }
  getMessage(id: number): MessageRecord | undefined {
    return this.messages.get(id);
  }
  getMessageByUid(folderId: number, uid: number): MessageRecord | undefined {
    return this.messages.getByUid(folderId, uid);
  }
  getRaw(id: number): Buffer {
    return this.messages.getRaw(id);
  }
  setFlags(folderId: number, uids: number[], flags: string[], mode: FlagMode): MessageRecord[] {
    return this.messages.setFlags(folderId, uids, flags, mode);
  }
  expunge(folderId: number, uids?: number[]): number[] {
    return this.messages.expunge(folderId, uids);
  }
  copyMessages(folderId: number, uids: number[], destFolderId: number): Array<[number, number]> {
    return this.messages.copy(folderId, uids, destFolderId);
  }
  moveMessages(folderId: number, uids: number[], destFolderId: number): Array<[number, number]> {
    return this.messages.move(folderId, uids, destFolderId);
  }
  deleteMessage(id: number): boolean {
    return this.messages.delete(id);
  }
  findMessages(query: MessageQuery): MessageHit[] {
    return this.messages.find(query);
  }
  onChange(listener: (address: string, change: MailboxChange) => void): () => void {
    return this.ctx.onChange(listener);
  }

  // flows
  createFlow(flow: Flow): void {
    this.flows.create(flow);
  }
  getFlow(identificativo: string): Flow | undefined {
    return this.flows.get(identificativo);
  }
  findFlows(query: { clientMessageId?: string; gestore?: string; sender?: string; limit?: number }): Flow[] {
    return this.flows.find(query);
  }
  setRecipientState(identificativo: string, address: string, state: RecipientState, at: number): void {
    this.flows.setRecipientState(identificativo, address, state, at);
  }

  // blobs
  putBlob(data: Buffer): number {
    return this.blobs.put(data);
  }
  getBlob(id: number): Buffer | undefined {
    return this.blobs.get(id);
  }
  deleteBlob(id: number): void {
    this.blobs.delete(id);
  }

  // jobs
  enqueueJob(job: NewJob): Job | undefined {
    return this.jobs.enqueue(job);
  }
  dueJobs(now: number, limit: number, except?: Iterable<number>): Job[] {
    return this.jobs.due(now, limit, except);
  }
  nextDueAt(): number | undefined {
    return this.jobs.nextDueAt();
  }
  completeJob(id: number): void {
    this.jobs.complete(id);
  }
  retryJob(id: number, dueAt: number, error: string): void {
    this.jobs.retry(id, dueAt, error);
  }
  cancelJobs(filter: { kind?: string; key?: string; keyPrefix?: string }): number {
    return this.jobs.cancel(filter);
  }
  listJobs(): Job[] {
    return this.jobs.list();
  }

  // log
  appendLog(entry: LogEntry): LogRecord {
    return this.log.append(entry);
  }
  queryLog(query: LogQuery): LogRecord[] {
    return this.log.query(query);
  }
  onLog(listener: (record: LogRecord) => void): () => void {
    return this.ctx.onLog(listener);
  }

  // meta
  getMeta(key: string): number | undefined {
    return this.meta.get(key);
  }
  setMeta(key: string, value: number): void {
    this.meta.set(key, value);
  }

  // fault rules
  loadFaultRules(): FaultRuleSet {
    return this.faultRules.load();
  }
  saveFaultRules(set: FaultRuleSet): void {
    this.faultRules.save(set);
  }
  addFaultRule(rule: StoredFaultRule, nextId: number): void {
    this.faultRules.add(rule, nextId);
  }
  setFaultRuleCounters(id: string, counters: FaultRuleCounters): void {
    this.faultRules.setCounters(id, counters);
  }
  deleteFaultRule(id: string): boolean {
    return this.faultRules.delete(id);
  }

  // Accounts and folders stay, with their uidNext: a client that cached UIDs must never see
  // an old UID come back for a different message. Ids keep growing too (AUTOINCREMENT).
  // Open sessions learn that their messages are gone through one expunge per folder.
  // Fault rules stay too: tb.reset() starts the mail over, not the failures the test asked for.
  reset(): void {
    this.ctx.transaction(() => {
      const rows = this.ctx
        .stmt<{ folder_id: number; uid: number; address: string }>(
          'SELECT m.folder_id, m.uid, f.address FROM messages m JOIN folders f ON f.id = m.folder_id ORDER BY m.folder_id, m.uid',
        )
        .all();
      // message_raw last: messages and blobs reference its rows (the triggers have emptied it by
      // then; the DELETE only states the intent)
      this.ctx.db.exec(`
        DELETE FROM messages;
        DELETE FROM blobs;
        DELETE FROM message_raw;
        DELETE FROM flow_recipients;
        DELETE FROM flows;
        DELETE FROM jobs;
        DELETE FROM jobs_done;
        DELETE FROM log;
      `);
      let current: { folderId: number; address: string; uids: number[] } | undefined;
      const flush = (): void => {
        if (current) this.ctx.emit({ kind: 'change', address: current.address, change: { type: 'expunge', folderId: current.folderId, uids: current.uids } });
      };
      for (const r of rows) {
        if (current?.folderId !== r.folder_id) {
          flush();
          current = { folderId: r.folder_id, address: r.address, uids: [] };
        }
        current.uids.push(r.uid);
      }
      flush();
    });
  }
}
