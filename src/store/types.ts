// The store contract: mailboxes (accounts, folders, messages with UIDs and flags), the
// providers' flows, the durable job queue that makes accepted work survive a crash, and the
// provider log. Protocol servers and the engine depend on this interface only.

export type ReceiptFlavour = 'completa' | 'breve' | 'sintetica';

export interface Account {
  /** lowercase address, the login name */
  address: string;
  password: string;
  /** id of the gestore that hosts it; null for ordinary (non-PEC) mail */
  gestore: string | null;
  /** maximum bytes of all its messages; null = unlimited */
  quotaBytes: number | null;
  /** a disabled mailbox refuses delivery (errore-consegna altro) and login */
  enabled: boolean;
  createdAt: number;
}

export interface NewAccount {
  address: string;
  password: string;
  gestore: string | null;
  quotaBytes?: number | null;
  enabled?: boolean;
}

export type SpecialUse = '\\Sent' | '\\Trash' | '\\Drafts' | '\\Junk' | '\\Archive';

export interface Folder {
  id: number;
  address: string;
  /** 'INBOX' is always spelled in upper case; hierarchy delimiter is '/' */
  name: string;
  uidValidity: number;
  uidNext: number;
  specialUse: SpecialUse | null;
  subscribed: boolean;
}

/** Indexed facts about a message, extracted once at delivery so the API can filter on them. */
export interface MessageMeta {
  /** the index's PEC kind, from the header markers (pec/parse-kind indexKindFromMarkers), or null for ordinary mail */
  kind: string | null;
  /** X-Riferimento-Message-ID, brackets included */
  refMessageId: string | null;
  identificativo: string | null;
  messageId: string | null;
  subject: string | null;
  from: string | null;
}

export interface MessageRecord extends MessageMeta {
  /** store-wide id, stable for the life of the message */
  id: number;
  folderId: number;
  uid: number;
  flags: string[];
  /** IMAP INTERNALDATE, ms since epoch (virtual clock) */
  internalDate: number;
  size: number;
}

export interface AppendOptions {
  flags?: string[];
  internalDate?: number;
  meta?: Partial<MessageMeta>;
}

export interface MessageQuery {
  address?: string;
  folder?: string;
  kind?: string;
  refMessageId?: string;
  identificativo?: string;
  /** substring, case-insensitive */
  subject?: string;
  /** internalDate >= since */
  since?: number;
  /** only messages with id > afterId (for waiting on new ones) */
  afterId?: number;
  limit?: number;
  offset?: number;
}

export interface MessageHit extends MessageRecord {
  address: string;
  folder: string;
}

export type MailboxChange =
  | { type: 'exists'; folderId: number; uid: number; messageId: number }
  | { type: 'expunge'; folderId: number; uids: number[] }
  | { type: 'flags'; folderId: number; uid: number; flags: string[] }
  | { type: 'uidvalidity'; folderId: number; uidValidity: number }
  | { type: 'folders' };

export type FlagMode = 'set' | 'add' | 'remove';

// ---- flows: what the sending gestore knows about each accepted message ----

export type RecipientState =
  | 'pending'      // busta relayed or queued, nothing heard yet
  | 'taken'        // presa in carico received
  | 'delivered'    // avvenuta consegna received
  | 'failed'       // errore-consegna received or emitted
  | 'preavviso'    // 12 h preavviso emitted
  | 'expired'      // 24 h notice emitted
  | 'external';    // esterno recipient: no receipt will ever come

export interface FlowRecipient {
  address: string;
  type: 'certificato' | 'esterno';
  header: 'to' | 'cc';
  state: RecipientState;
  updatedAt: number;
}

export interface Flow {
  identificativo: string;
  gestore: string;
  sender: string;
  clientMessageId: string;
  subject: string;
  receiptType: ReceiptFlavour;
  createdAt: number;
  recipients: FlowRecipient[];
}

// ---- jobs: durable work, committed together with the message that implies it ----

export interface NewJob {
  kind: string;
  dueAt: number;
  payload: unknown;
  /** idempotency key: enqueueing a key that exists (pending or done) is a no-op */
  key?: string;
}

export interface Job extends NewJob {
  id: number;
  attempts: number;
  lastError: string | null;
}

// ---- provider log ----

export interface LogEntry {
  at: number;
  gestore: string;
  /** accesso | ricezione | consegna | timer | relay | smtp | imap | pop3 | fault */
  actor: string;
  event: string;
  identificativo?: string | null;
  messageId?: string | null;
  detail?: Record<string, unknown>;
}

export interface LogRecord extends LogEntry {
  id: number;
  identificativo: string | null;
  messageId: string | null;
  detail: Record<string, unknown>;
}

export interface LogQuery {
  gestore?: string;
  actor?: string;
  event?: string;
  identificativo?: string;
  messageId?: string;
  since?: number;
  afterId?: number;
  limit?: number;
}

// ---- fault rules in force, so that a restart on the same data dir brings them back ----

export interface StoredFaultRule {
  id: string;
  /** `scenario`: from the scenario file given at start; `runtime`: added while running */
  source: 'scenario' | 'runtime';
  /** the id was assigned by the testbed (`r<N>`), not chosen by the user */
  assignedId: boolean;
  /** the rule as JSON text; the store does not judge it (the fault registry does, at start) */
  definition: string;
  seen: number;
  hits: number;
  firstHitAt: number | null;
}

export type FaultRuleCounters = Pick<StoredFaultRule, 'seen' | 'hits' | 'firstHitAt'>;

export interface FaultRuleSet {
  /** in the order they apply */
  rules: StoredFaultRule[];
  /** the number of the next assigned id, so that a removed rule's id is not handed out again */
  nextId: number;
}

export interface Store {
  /** runs fn atomically and durably; nested calls join the outer transaction */
  transaction<T>(fn: () => T): T;
  /**
   * Group commit: runs fn atomically now (its writes are visible at once) and commits it with
   * the other units of this event-loop turn. Await `committed()` before acknowledging it.
   */
  groupTransaction<T>(fn: () => T): T;
  /** resolves once every write so far is durable; rejects if the group commit failed */
  committed(): Promise<void>;
  /** commits the open group now, if any; throws if that fails */
  commitNow(): void;
  /** true while writes of an open group commit are not durable yet */
  readonly uncommitted: boolean;
  close(): void;

  // accounts
  createAccount(account: NewAccount): Account;
  getAccount(address: string): Account | undefined;
  listAccounts(): Account[];
  updateAccount(address: string, patch: Partial<Pick<Account, 'password' | 'quotaBytes' | 'enabled'>>): Account;
  deleteAccount(address: string): boolean;
  usedBytes(address: string): number;

  // folders; every account is created with INBOX, Sent (\Sent) and Trash (\Trash)
  listFolders(address: string): Folder[];
  getFolder(address: string, name: string): Folder | undefined;
  getFolderById(id: number): Folder | undefined;
  createFolder(address: string, name: string, specialUse?: SpecialUse | null): Folder;
  deleteFolder(address: string, name: string): void;
  renameFolder(address: string, from: string, to: string): void;
  setSubscribed(address: string, name: string, subscribed: boolean): void;
  /** gives the folder a new UIDVALIDITY and renumbers its messages from 1 */
  resetUidValidity(folderId: number): number;

  // messages: raw bytes are stored and returned exactly as given
  appendMessage(folderId: number, raw: Buffer, options?: AppendOptions): MessageRecord;
  listMessages(folderId: number): MessageRecord[];
  getMessage(id: number): MessageRecord | undefined;
  getMessageByUid(folderId: number, uid: number): MessageRecord | undefined;
  getRaw(id: number): Buffer;
  setFlags(folderId: number, uids: number[], flags: string[], mode: FlagMode): MessageRecord[];
  /** removes messages flagged \Deleted (only among `uids` when given); returns removed uids ascending */
  expunge(folderId: number, uids?: number[]): number[];
  /** returns [sourceUid, destinationUid] pairs */
  copyMessages(folderId: number, uids: number[], destFolderId: number): Array<[number, number]>;
  moveMessages(folderId: number, uids: number[], destFolderId: number): Array<[number, number]>;
  deleteMessage(id: number): boolean;
  findMessages(query: MessageQuery): MessageHit[];
  /** listener is called after the change is committed */
  onChange(listener: (address: string, change: MailboxChange) => void): () => void;

  // flows
  createFlow(flow: Flow): void;
  getFlow(identificativo: string): Flow | undefined;
  findFlows(query: { clientMessageId?: string; gestore?: string; sender?: string; limit?: number }): Flow[];
  setRecipientState(identificativo: string, address: string, state: RecipientState, at: number): void;

  // blobs: message bytes referenced by jobs
  putBlob(data: Buffer): number;
  getBlob(id: number): Buffer | undefined;
  deleteBlob(id: number): void;

  // jobs
  /** returns the job, or undefined when its key already exists */
  enqueueJob(job: NewJob): Job | undefined;
  /** pending jobs with dueAt <= now, oldest first, leaving out `except` (e.g. the ones running) */
  dueJobs(now: number, limit: number, except?: Iterable<number>): Job[];
  nextDueAt(): number | undefined;
  completeJob(id: number): void;
  retryJob(id: number, dueAt: number, error: string): void;
  /** deletes the pending jobs matching every criterion given (at least one); their keys become free */
  cancelJobs(filter: { kind?: string; key?: string; keyPrefix?: string }): number;
  listJobs(): Job[];

  // log
  appendLog(entry: LogEntry): LogRecord;
  queryLog(query: LogQuery): LogRecord[];
  onLog(listener: (record: LogRecord) => void): () => void;

  // meta: named integers of the testbed's own (e.g. the virtual clock's time), kept by reset()
  getMeta(key: string): number | undefined;
  /** one statement, like appendLog; keys the store manages itself are refused (INVALID) */
  setMeta(key: string, value: number): void;

  // fault rules
  /** rows are returned as stored, unchecked: a damaged one is for the caller to skip */
  loadFaultRules(): FaultRuleSet;
  /** replaces every rule with `set` (start-up, clear) */
  saveFaultRules(set: FaultRuleSet): void;
  /** appends a rule after the others */
  addFaultRule(rule: StoredFaultRule, nextId: number): void;
  /** one statement: joins the open transaction or group, if any, like the work the rule bent */
  setFaultRuleCounters(id: string, counters: FaultRuleCounters): void;
  deleteFaultRule(id: string): boolean;

  /** empties mailboxes' messages, flows, jobs, blobs and log; keeps accounts, folders and fault rules */
  reset(): void;
}
