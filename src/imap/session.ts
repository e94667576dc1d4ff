// One client connection: reads framed commands one at a time, checks the state machine
// (RFC 3501 §3), runs the command, flushes queued mailbox changes where the protocol allows, and
// answers with the tagged response. Owns the socket, the STARTTLS upgrade, autologout, and the
// translation of store change notifications into the selected mailbox's view.

import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { ListenerLog } from '../listener/types.js';
import type { MailboxChange, Store } from '../store/types.js';
import { CommandSyntaxError, parseCommand, type ParsedCommand } from './command-parser.js';
import { fromStoreError, ImapError } from './errors.js';
import { FatalInputError, readFrame, type Frame } from './framing.js';
import type { MailboxView } from './mailbox-view.js';
import { InputReader } from './reader.js';
import { toBuffer, type Piece } from './wire.js';
import type { RecentTracker } from './recent.js';
import type { ImapHooks, ImapLimits, ImapServerOptions } from './types.js';

export type SessionState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

export interface CommandResult {
  status: 'OK' | 'NO' | 'BAD';
  code?: string;
  text: string;
}

/** a handler either returns the tagged result or 'done' when it already answered (LOGOUT) */
export type CommandOutcome = CommandResult | 'done';

export interface CommandSpec {
  states: SessionState[];
  run(session: Session, command: ParsedCommand): CommandOutcome | Promise<CommandOutcome>;
  /** false for FETCH, STORE, SEARCH: EXPUNGE responses must wait (RFC 3501 §7.4.1) */
  expungeAllowed?: boolean;
}

export interface ServerContext {
  store: Store;
  limits: ImapLimits;
  clock: { now(): number };
  authenticate: ImapServerOptions['authenticate'];
  log: ListenerLog;
  hooks: ImapHooks;
  secureContext: SecureContext | null;
  recent: RecentTracker;
  commands: Map<string, CommandSpec>;
  /** sessions are indexed by account so store changes reach only that account's sessions */
  bindAddress(session: Session, address: string): void;
  unregister(session: Session): void;
}

export const ok = (text: string, code?: string): CommandResult => ({ status: 'OK', text, code });

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

let nextSessionId = 1;

const LINE_TOO_LONG = 'Command line too long';

export class Session {
  readonly id = nextSessionId++;
  readonly remoteAddress: string | undefined;
  state: SessionState = 'not-authenticated';
  address: string | null = null;
  view: MailboxView | null = null;
  secure: boolean;
  loginFailures = 0;
  /** run after the tagged response is written (STARTTLS switches the socket there) */
  afterReply: (() => void) | null = null;
  private socket: Duplex;
  private readonly reader = new InputReader();
  private muted = 0;
  private idling = false;
  private idleFlushQueued = false;
  private busy = false;
  private closedFlag = false;
  private readonly timer: NodeJS.Timeout;
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    readonly ctx: ServerContext,
    private readonly rawSocket: Socket,
    secure: boolean,
  ) {
    this.socket = rawSocket;
    this.secure = secure;
    this.remoteAddress = rawSocket.remoteAddress;
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
    this.watchSocket(rawSocket);
    this.reader.attach(rawSocket);
    this.timer = setTimeout(() => this.bye('Autologout; idle for too long'), ctx.limits.autologoutMs);
    this.timer.unref();
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  get store(): Store {
    return this.ctx.store;
  }

  capabilities(): string {
    const caps = [
      'IMAP4rev1', 'LITERAL+', 'SASL-IR', 'ID', 'ENABLE', 'IDLE', 'NAMESPACE', 'UNSELECT', 'CHILDREN',
      'UIDPLUS', 'MOVE', 'SPECIAL-USE', `APPENDLIMIT=${this.ctx.limits.maxAppendBytes}`,
    ];
    if (this.state === 'not-authenticated') {
      if (!this.secure && this.ctx.secureContext) caps.push('STARTTLS');
      caps.push(this.plaintextAuthForbidden ? 'LOGINDISABLED' : 'AUTH=PLAIN');
    }
    return caps.join(' ');
  }

  /**
   * Passwords in the clear are accepted over loopback (a local testbed: apps under test often
   * cannot do STARTTLS) and when no TLS is configured at all; from any other address the
   * client must use STARTTLS first (RFC 3501 LOGINDISABLED).
   */
  get plaintextAuthForbidden(): boolean {
    return !this.secure && this.ctx.secureContext !== null && !isLoopback(this.remoteAddress);
  }

  async run(): Promise<void> {
    this.ctx.log('imap.connect', { session: this.id, remote: this.remoteAddress, secure: this.secure });
    this.line(`* OK [CAPABILITY ${this.capabilities()}] pec-testbed IMAP4rev1 ready`);
    try {
      while (!this.closedFlag) {
        // a client that pipelines commands and never reads its answers would otherwise make the
        // server buffer every answer in memory: the next command waits until the output drains
        await this.outputRoom();
        if (this.closedFlag) return;
        let frame: Frame;
        try {
          frame = await readFrame(this.reader, this.ctx.limits, this.state !== 'not-authenticated', () =>
            this.line('+ Ready for literal data'),
          );
        } catch (err) {
          if (err instanceof FatalInputError) {
            this.bye('Literal too large');
            return;
          }
          throw err;
        }
        if (this.closedFlag) return;
        this.timer.refresh();
        if (frame.kind === 'eof') {
          this.destroy('client closed the connection');
          return;
        }
        if (frame.kind === 'line-too-long') {
          this.bye(LINE_TOO_LONG);
          return;
        }
        if (frame.kind === 'too-big') {
          const tag = frame.tag ?? '*';
          if (frame.append) this.line(`${tag} NO [TOOBIG] Message larger than APPENDLIMIT ${this.ctx.limits.maxAppendBytes}`);
          else this.line(`${tag} BAD [TOOBIG] Literal larger than ${this.ctx.limits.maxLiteralBytes} bytes`);
          continue;
        }
        await this.execute(frame.text, frame.literals);
      }
    } catch (err) {
      this.ctx.log('imap.error', { session: this.id, error: String(err) });
      this.destroy('internal error');
    }
  }

  private async execute(text: string, literals: Buffer[]): Promise<void> {
    let command: ParsedCommand;
    try {
      command = parseCommand(text, literals);
    } catch (err) {
      if (err instanceof CommandSyntaxError) {
        this.line(`${err.tag ?? '*'} BAD ${err.message}`);
        return;
      }
      throw err;
    }
    const spec = this.ctx.commands.get(command.name);
    if (!spec) {
      this.line(`${command.tag} BAD Unknown command ${command.name.replace(/[^A-Z0-9 ]/g, '')}`);
      return;
    }
    if (!spec.states.includes(this.state)) {
      this.line(`${command.tag} BAD ${command.name} not allowed in ${this.state} state`);
      return;
    }
    this.busy = true;
    let outcome: CommandOutcome;
    try {
      outcome = await spec.run(this, command);
    } catch (err) {
      outcome = this.failure(err, command.name);
    }
    this.busy = false;
    if (this.closedFlag || outcome === 'done') return;
    this.flushView(spec.expungeAllowed !== false);
    const code = outcome.code ? ` [${outcome.code}]` : '';
    // response text is 7-bit and single-line whatever a store error message contained
    const message = outcome.text.replace(/[^\x20-\x7e]/g, '?');
    this.line(`${command.tag} ${outcome.status}${code} ${message}`);
    const after = this.afterReply;
    this.afterReply = null;
    after?.();
    this.checkInvalidated();
  }

  private failure(err: unknown, command: string): CommandResult {
    const mapped = err instanceof ImapError ? err : fromStoreError(err);
    if (mapped) return { status: mapped.status, code: mapped.code, text: mapped.message };
    this.ctx.log('imap.error', { session: this.id, command, error: err instanceof Error ? err.stack ?? err.message : String(err) });
    return { status: 'NO', code: 'SERVERBUG', text: `${command} failed: internal error` };
  }

  // ---- output ----

  line(text: string): void {
    if (this.closedFlag) return;
    this.socket.write(`${text}\r\n`, 'latin1');
  }

  /** an untagged response built from encoded pieces (may hold literals) */
  pieces(pieces: Piece[]): void {
    if (this.closedFlag) return;
    pieces.push('\r\n');
    this.socket.write(toBuffer(pieces));
  }

  /** writes bytes and waits when the socket's buffer is full (large FETCH answers) */
  async writeAwait(data: Buffer): Promise<void> {
    if (this.closedFlag) return;
    if (this.socket.write(data)) return;
    await this.outputRoom();
  }

  /**
   * Resolves once the socket's write buffer is below its high-water mark again, or the
   * connection is gone (a client that never reads is logged out by the autologout timer, whose
   * BYE ends in a destroy, so the wait always ends).
   */
  private async outputRoom(): Promise<void> {
    const socket = this.socket;
    if (this.closedFlag || socket.destroyed || !socket.writableNeedDrain) return;
    let done!: () => void;
    const drained = new Promise<void>((resolve) => (done = resolve));
    socket.on('drain', done).on('close', done).on('error', done);
    try {
      await Promise.race([drained, this.closedPromise]);
    } finally {
      socket.off('drain', done).off('close', done).off('error', done);
    }
  }

  /**
   * A line from the client outside the command grammar (IDLE's DONE, SASL responses). Null when
   * the input ended, or was too long: then the session has already said BYE, as the command loop
   * does for an overlong command line.
   */
  async readContinuation(): Promise<string | null> {
    const line = await this.reader.readLine(this.ctx.limits.maxLineBytes);
    if (line === 'too-long') {
      this.bye(LINE_TOO_LONG);
      return null;
    }
    if (line === null) return null;
    this.timer.refresh();
    return line.toString('latin1');
  }

  // ---- selected mailbox ----

  select(view: MailboxView | null): void {
    this.view = view;
    this.state = view ? 'selected' : this.address ? 'authenticated' : 'not-authenticated';
  }

  /** runs a store mutation whose notifications this session reports itself */
  mutate<T>(fn: () => T): T {
    this.muted++;
    try {
      return fn();
    } finally {
      this.muted--;
    }
  }

  flushView(allowExpunge: boolean): void {
    if (!this.view || this.state !== 'selected') return;
    for (const text of this.view.flush(allowExpunge)) this.line(text);
  }

  setIdling(idling: boolean): void {
    this.idling = idling;
    if (idling) this.flushView(true);
  }

  onStoreChange(change: MailboxChange): void {
    const view = this.view;
    if (!view || this.closedFlag) return;
    if (change.type === 'folders') {
      if (!this.store.getFolderById(view.folderId)) view.invalidated = { uidValidity: null };
    } else if (change.folderId !== view.folderId) {
      return;
    } else if (change.type === 'exists') {
      const record = this.store.getMessage(change.messageId);
      if (record && record.folderId === view.folderId) view.noteExists(record, this.ctx.recent.claimOne(view.folderId, record.uid));
    } else if (change.type === 'expunge') {
      if (this.muted === 0) view.noteExpunge(change.uids);
    } else if (change.type === 'flags') {
      view.noteFlags(change.uid, change.flags, this.muted === 0);
    } else if (change.type === 'uidvalidity') {
      if (change.uidValidity !== view.uidValidity) view.invalidated = { uidValidity: change.uidValidity };
    }
    if (view.invalidated) {
      if (!this.busy || this.idling) this.checkInvalidated();
      return;
    }
    if (this.idling && view.hasPending && !this.idleFlushQueued) {
      // coalesce a burst of changes (e.g. a MOVE of many messages) into one write
      this.idleFlushQueued = true;
      queueMicrotask(() => {
        this.idleFlushQueued = false;
        if (this.idling) this.flushView(true);
      });
    }
  }

  /**
   * A renumbered (UIDVALIDITY) or deleted selected mailbox invalidates everything the client
   * caches. Clients reliably notice a new UIDVALIDITY only at SELECT, so the session tells the
   * new value and ends with BYE; the client reconnects and resynchronises.
   */
  private checkInvalidated(): void {
    const gone = this.view?.invalidated;
    if (!gone || this.closedFlag) return;
    if (gone.uidValidity !== null) this.line(`* OK [UIDVALIDITY ${gone.uidValidity}] UIDVALIDITY changed`);
    this.bye(gone.uidValidity !== null ? 'Selected mailbox UIDVALIDITY changed, please reconnect' : 'Selected mailbox was deleted');
  }

  // ---- TLS and lifecycle ----

  /** switches to TLS after the OK to STARTTLS; unread plaintext input is discarded */
  upgradeToTls(): void {
    const context = this.ctx.secureContext;
    if (!context) return;
    this.reader.detach();
    const tlsSocket = new TLSSocket(this.rawSocket, { isServer: true, secureContext: context });
    this.socket = tlsSocket;
    this.secure = true;
    tlsSocket.on('error', (err) => this.destroy(`TLS error: ${err.message}`));
    this.reader.attach(tlsSocket);
  }

  bye(text: string): void {
    if (this.closedFlag) return;
    this.line(`* BYE ${text}`);
    this.finish(text, true);
  }

  /** closes after what was written has been sent (LOGOUT) */
  closeGracefully(reason: string): void {
    if (this.closedFlag) return;
    this.finish(reason, true);
  }

  destroy(reason: string): void {
    if (this.closedFlag) return;
    this.finish(reason, false);
  }

  /**
   * Sends `data`, then closes without a goodbye, as a server dying mid-answer. The close waits for
   * the write to be handed to the kernel: destroying at once could discard the bytes still queued
   * (always, under TLS), and the client would see no partial answer at all.
   */
  async destroyAfter(data: Buffer, reason: string): Promise<void> {
    if (this.closedFlag) return;
    await new Promise<void>((resolve) => this.socket.write(data, () => resolve()));
    this.destroy(reason);
  }

  /** resolves once the socket is closed */
  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  private finish(reason: string, graceful: boolean): void {
    this.closedFlag = true;
    clearTimeout(this.timer);
    this.reader.end();
    this.idling = false;
    this.ctx.unregister(this);
    this.ctx.log('imap.close', { session: this.id, address: this.address, reason });
    if (graceful) {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 2000).unref();
    } else {
      this.socket.destroy();
    }
  }

  private watchSocket(socket: Socket): void {
    socket.on('error', () => this.destroy('socket error'));
    socket.on('close', () => {
      this.destroy('socket closed');
      this.resolveClosed();
    });
  }
}
