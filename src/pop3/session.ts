// One POP3 connection: the RFC 1939 state machine (AUTHORIZATION -> TRANSACTION -> UPDATE),
// RFC 2595 STLS, RFC 5034 AUTH PLAIN, login throttling, the idle timer and the fault hooks.
// Commands are answered strictly in arrival order, one at a time (RFC 2449 PIPELINING), because
// some of them wait: authenticate(), throttling delays, hooks.

import type net from 'node:net';
import tls from 'node:tls';
import type { Authenticate } from '../listener/types.js';
import type { Store } from '../store/types.js';
import { LineReader, type ReadItem } from './line-reader.js';
import { lockMaildrop } from './locks.js';
import { Maildrop, type MaildropEntry } from './maildrop.js';
import { MAX_LINE_BYTES, MAX_QUEUED_COMMANDS, authFailureDelay } from './limits.js';
import { decodePlain } from './sasl-plain.js';
import type { Pop3HookResult, Pop3Hooks, Pop3Log, Pop3SessionInfo } from './types.js';
import { multiline, multilineText, topOf } from './wire.js';

export interface SessionSettings {
  store: Store;
  authenticate: Authenticate;
  log: Pop3Log;
  hooks: Pop3Hooks;
  /** present when the server has a certificate: enables STLS */
  secureContext?: tls.SecureContext;
  idleTimeoutMs: number;
  authFailureDelayMs: number;
  maxAuthFailures: number;
}

type State = 'authorization' | 'transaction' | 'closed';
type Handler = (args: string[], rest: string) => Promise<void>;

const AUTHORIZATION_COMMANDS = new Set(['USER', 'PASS', 'AUTH', 'STLS']);
const TRANSACTION_COMMANDS = new Set(['STAT', 'LIST', 'UIDL', 'RETR', 'TOP', 'DELE', 'RSET', 'NOOP']);
const BAD_CREDENTIALS = '-ERR [AUTH] invalid user name or password';

export class Pop3Session {
  readonly info: Pop3SessionInfo;
  /** resolves once the connection is gone and the maildrop lock released */
  readonly closed: Promise<void>;

  private socket: net.Socket;
  private readonly reader = new LineReader(MAX_LINE_BYTES);
  private queue: ReadItem[] = [];
  private busy = false;
  private state: State = 'authorization';
  private pendingUser: string | null = null;
  private awaitingSasl = false;
  private failures = 0;
  private maildrop: Maildrop | null = null;
  private releaseLock: (() => void) | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly wakers = new Set<() => void>();
  private gone = false;
  private resolveClosed!: () => void;
  private readonly handlers: Record<string, Handler>;

  constructor(socket: net.Socket, secure: boolean, id: string, private readonly settings: SessionSettings) {
    this.socket = socket;
    this.info = { id, remoteAddress: socket.remoteAddress ?? 'unknown', secure, user: null, address: null };
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.handlers = {
      CAPA: () => this.capa(),
      QUIT: () => this.quit(),
      USER: (_a, rest) => this.user(rest),
      PASS: (_a, rest) => this.pass(rest),
      AUTH: (args) => this.auth(args),
      STLS: (args) => this.stls(args),
      STAT: (args) => this.statCmd(args),
      LIST: (args) => this.listing(args, (e) => String(e.size)),
      UIDL: (args) => this.listing(args, (e) => this.maildrop!.uidl(e)),
      RETR: (args) => this.retr(args),
      TOP: (args) => this.top(args),
      DELE: (args) => this.dele(args),
      RSET: (args) => this.rset(args),
      NOOP: (args) => (args.length ? this.reply('-ERR syntax: NOOP') : this.reply('+OK')),
    };
    this.attach(socket);
    socket.on('close', () => this.cleanup());
    this.log('connect', { secure });
    void this.reply('+OK pec-testbed POP3 server ready');
  }

  /** Server shutdown: says goodbye if it can, never enters UPDATE. */
  shutdown(): void {
    if (this.gone) return;
    this.state = 'closed';
    this.releaseLock?.();
    if (this.socket.writable) this.socket.end('-ERR [SYS/TEMP] server shutting down\r\n');
    const t = setTimeout(() => this.socket.destroy(), 500);
    t.unref();
    this.timers.add(t);
  }

  // ---- socket plumbing ----

  private readonly onData = (chunk: Buffer): void => {
    if (this.state === 'closed') return;
    const items = this.reader.push(chunk);
    if (items.length === 0) return;
    this.queue.push(...items);
    if (items.some((i) => i.kind === 'overflow')) this.socket.pause();
    else if (this.queue.length > MAX_QUEUED_COMMANDS) this.socket.pause();
    void this.pump();
  };

  private readonly onTimeout = (): void => {
    if (this.state === 'closed') return;
    this.log('timeout', {});
    this.state = 'closed';
    this.releaseLock?.();
    if (this.socket.writable) this.socket.end('-ERR autologout: idle for too long, closing\r\n');
    else this.socket.destroy();
  };

  private readonly onError = (err: Error): void => {
    this.log('socket-error', { error: err.message });
  };

  private attach(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('timeout', this.onTimeout);
    socket.setTimeout(this.settings.idleTimeoutMs);
  }

  private detach(socket: net.Socket): void {
    socket.off('data', this.onData);
    socket.off('timeout', this.onTimeout);
    socket.setTimeout(0);
  }

  private cleanup(): void {
    if (this.gone) return;
    this.gone = true;
    this.state = 'closed';
    this.queue = [];
    this.releaseLock?.();
    for (const t of this.timers) clearTimeout(t);
    for (const wake of this.wakers) wake();
    this.log('disconnect', {});
    this.resolveClosed();
  }

  /** a method, not an inline comparison: awaits in between may have closed the session */
  private isOpen(): boolean {
    return this.state !== 'closed';
  }

  private end(): void {
    this.state = 'closed';
    this.releaseLock?.();
    this.socket.end();
  }

  private drop(): void {
    this.state = 'closed';
    this.socket.destroy();
  }

  private write(data: string | Buffer): Promise<void> {
    const socket = this.socket;
    if (this.gone || !socket.writable) return Promise.resolve();
    return new Promise((resolve) => {
      if (socket.write(data)) return resolve();
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  private reply(line: string): Promise<void> {
    return this.write(`${line}\r\n`);
  }

  /** Waits, but wakes at once if the connection goes away so close() never hangs on a delay. */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.gone) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.timers.delete(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.timers.add(timer);
      this.wakers.add(wake);
    });
  }

  private log(event: string, detail: Record<string, unknown>): void {
    try {
      this.settings.log(event, { session: this.info.id, remote: this.info.remoteAddress, address: this.info.address, ...detail });
    } catch {
      // a broken logger must not break the protocol
    }
  }

  // ---- command loop ----

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0 && this.isOpen()) {
        const item = this.queue.shift()!;
        if (item.kind === 'overflow') {
          this.log('line-too-long', {});
          await this.reply(`-ERR line too long (limit ${MAX_LINE_BYTES} octets), closing`);
          this.end();
          break;
        }
        try {
          await this.execute(item.line);
        } catch (err) {
          this.log('error', { error: err instanceof Error ? err.message : String(err) });
          await this.reply('-ERR [SYS/TEMP] internal server error');
        }
        if (this.socket.isPaused() && this.queue.length <= MAX_QUEUED_COMMANDS / 2 && this.isOpen()) {
          this.socket.resume();
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async execute(line: string): Promise<void> {
    if (this.awaitingSasl) {
      this.awaitingSasl = false;
      return this.saslResponse(line);
    }
    const space = line.indexOf(' ');
    const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const rest = space < 0 ? '' : line.slice(space + 1);
    const args = rest.trim() === '' ? [] : rest.trim().split(/\s+/);
    const handler = Object.hasOwn(this.handlers, verb) ? this.handlers[verb] : undefined;
    if (!handler) return this.reply('-ERR unknown command');
    const allowed =
      verb === 'CAPA' || verb === 'QUIT' ||
      (this.state === 'authorization' && AUTHORIZATION_COMMANDS.has(verb)) ||
      (this.state === 'transaction' && TRANSACTION_COMMANDS.has(verb));
    if (!allowed) return this.reply(`-ERR ${verb} not valid in the ${this.state.toUpperCase()} state`);
    return handler(args, rest);
  }

  // ---- any state ----

  private capa(): Promise<void> {
    const lines = ['+OK capability list follows', 'TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'];
    if (this.state === 'authorization') {
      lines.push('USER', 'SASL PLAIN');
      if (this.settings.secureContext && !this.info.secure) lines.push('STLS');
    }
    lines.push('IMPLEMENTATION pec-testbed');
    return this.write(multilineText(lines));
  }

  private async quit(): Promise<void> {
    if (this.state !== 'transaction' || !this.maildrop) {
      await this.reply('+OK pec-testbed POP3 server signing off');
      return this.end();
    }
    // UPDATE state (RFC 1939 §6): only a QUIT in TRANSACTION applies the deletions
    this.state = 'closed';
    let removed: number[];
    try {
      removed = this.maildrop.commit();
    } catch (err) {
      this.log('update-failed', { error: err instanceof Error ? err.message : String(err) });
      this.releaseLock?.();
      await this.reply('-ERR [SYS/TEMP] some deleted messages not removed');
      return this.end();
    }
    // released before replying, so a client reconnecting right after +OK finds it free
    this.releaseLock?.();
    const left = this.maildrop.stat().count;
    this.log('update', { removed });
    await this.reply(`+OK pec-testbed POP3 server signing off (${removed.length} deleted, ${left} left)`);
    this.end();
  }

  // ---- AUTHORIZATION ----

  private user(rest: string): Promise<void> {
    const name = rest.trim();
    if (!name) return this.reply('-ERR syntax: USER name');
    this.pendingUser = name;
    this.info.user = name;
    return this.reply('+OK send PASS');
  }

  private pass(rest: string): Promise<void> {
    if (this.pendingUser === null) return this.reply('-ERR send USER first');
    const user = this.pendingUser;
    this.pendingUser = null;
    // RFC 1939: the password is the rest of the line and may contain spaces
    return this.login(user, rest);
  }

  private async auth(args: string[]): Promise<void> {
    if (args.length === 0) return this.write(multilineText(['+OK SASL mechanisms follow', 'PLAIN']));
    if (args[0].toUpperCase() !== 'PLAIN') return this.reply('-ERR unsupported SASL mechanism');
    if (args.length > 2) return this.reply('-ERR syntax: AUTH PLAIN [initial-response]');
    if (args.length === 2) return this.saslResponse(args[1] === '=' ? '' : args[1]);
    this.awaitingSasl = true;
    return this.reply('+ ');
  }

  private async saslResponse(line: string): Promise<void> {
    if (line.trim() === '*') return this.reply('-ERR authentication cancelled');
    const creds = decodePlain(line);
    if (!creds) return this.loginFailed('(malformed SASL PLAIN)');
    this.info.user = creds.authcid;
    // no proxy logins: the authorization identity, if given, must be the user itself
    if (creds.authzid && creds.authzid.toLowerCase() !== creds.authcid.toLowerCase()) {
      return this.loginFailed(creds.authcid);
    }
    return this.login(creds.authcid, creds.password);
  }

  private async stls(args: string[]): Promise<void> {
    if (args.length) return this.reply('-ERR syntax: STLS');
    const secureContext = this.settings.secureContext;
    if (!secureContext) return this.reply('-ERR STLS not available');
    if (this.info.secure) return this.reply('-ERR already using TLS');
    // RFC 2595 §4 / CVE-2011-0411: nothing the client sent in clear after STLS may be obeyed
    this.queue = [];
    this.reader.clear();
    this.pendingUser = null;
    const raw = this.socket;
    this.detach(raw);
    await new Promise<void>((resolve) => raw.write('+OK begin TLS negotiation\r\n', () => resolve()));
    if (this.gone) return;
    raw.resume();
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext });
    this.socket = secure;
    this.info.secure = true;
    secure.on('close', () => this.cleanup());
    secure.once('secure', () => this.log('tls', { protocol: secure.getProtocol() }));
    this.attach(secure);
  }

  private async login(user: string, password: string): Promise<void> {
    this.info.user = user;
    let address: string | null;
    try {
      address = await this.settings.authenticate(user, password);
    } catch (err) {
      this.log('error', { during: 'authenticate', error: err instanceof Error ? err.message : String(err) });
      return this.reply('-ERR [SYS/TEMP] authentication unavailable, try later');
    }
    if (this.gone) return;
    if (!address) return this.loginFailed(user);
    address = address.toLowerCase();
    this.info.address = address;
    if (!(await this.applyHook('onLogin', () => this.settings.hooks.onLogin?.({ ...this.info })))) {
      if (!this.gone) this.info.address = null;
      return;
    }
    const { store } = this.settings;
    const folder = store.getFolder(address, 'INBOX');
    if (!folder) {
      this.info.address = null;
      return this.reply('-ERR [SYS/PERM] this account has no INBOX');
    }
    const release = lockMaildrop(store, address);
    if (!release) {
      this.log('login-refused', { reason: 'in-use' });
      this.info.address = null;
      return this.reply('-ERR [IN-USE] maildrop already locked by another POP3 session');
    }
    try {
      this.maildrop = Maildrop.open(store, folder);
    } catch (err) {
      release();
      throw err;
    }
    this.releaseLock = release;
    this.state = 'transaction';
    this.failures = 0;
    const { count, octets } = this.maildrop.stat();
    this.log('login', { user, messages: count, octets, secure: this.info.secure });
    return this.reply(`+OK ${address} has ${count} messages (${octets} octets)`);
  }

  private async loginFailed(user: string): Promise<void> {
    this.failures++;
    this.info.address = null;
    this.log('login-failed', { user, failures: this.failures });
    await this.sleep(authFailureDelay(this.settings.authFailureDelayMs, this.failures));
    if (this.gone) return;
    if (this.failures >= this.settings.maxAuthFailures) {
      await this.reply(`${BAD_CREDENTIALS}; too many failures, closing`);
      return this.end();
    }
    return this.reply(BAD_CREDENTIALS);
  }

  /** Runs a hook; returns true when the command should proceed. */
  private async applyHook(name: string, call: () => Pop3HookResult | Promise<Pop3HookResult>): Promise<boolean> {
    let result: Pop3HookResult;
    try {
      result = await call();
    } catch (err) {
      this.log('error', { hook: name, error: err instanceof Error ? err.message : String(err) });
      await this.reply('-ERR [SYS/TEMP] internal server error');
      return false;
    }
    if (!result || this.gone) return !this.gone;
    this.log('hook', { hook: name, ...result });
    switch (result.action) {
      case 'delay':
        await this.sleep(result.ms);
        return !this.gone;
      case 'drop':
        this.drop();
        return false;
      case 'refuse':
        await this.reply(`-ERR ${result.code ? `[${result.code}] ` : ''}${result.text ?? 'refused'}`);
        return false;
      default:
        return true;
    }
  }

  // ---- TRANSACTION ----

  private statCmd(args: string[]): Promise<void> {
    if (args.length) return this.reply('-ERR syntax: STAT');
    const { count, octets } = this.maildrop!.stat();
    return this.reply(`+OK ${count} ${octets}`);
  }

  /** LIST and UIDL share their shape: one line per message, or one message when numbered. */
  private listing(args: string[], value: (e: MaildropEntry) => string): Promise<void> {
    const maildrop = this.maildrop!;
    if (args.length > 1) return this.reply('-ERR too many arguments');
    if (args.length === 1) {
      const found = maildrop.lookup(args[0]);
      if (!found.ok) return this.reply(`-ERR ${found.reason}`);
      return this.reply(`+OK ${found.entry.number} ${value(found.entry)}`);
    }
    const { count, octets } = maildrop.stat();
    const lines = [`+OK ${count} messages (${octets} octets)`];
    for (const e of maildrop.visible()) lines.push(`${e.number} ${value(e)}`);
    return this.write(multilineText(lines));
  }

  private async retr(args: string[]): Promise<void> {
    if (args.length !== 1) return this.reply('-ERR syntax: RETR msg');
    const maildrop = this.maildrop!;
    const found = maildrop.lookup(args[0]);
    if (!found.ok) return this.reply(`-ERR ${found.reason}`);
    const entry = found.entry;
    const raw = maildrop.raw(entry);
    if (!raw) return this.reply('-ERR message no longer in the maildrop');
    const message = { number: entry.number, uid: entry.uid, uidl: maildrop.uidl(entry), size: entry.size };
    if (!(await this.applyHook('beforeRetr', () => this.settings.hooks.beforeRetr?.({ ...this.info }, message)))) return;
    await this.write(Buffer.concat([Buffer.from(`+OK ${raw.length} octets\r\n`), multiline(raw)]));
    if (this.gone) return;
    maildrop.markSeen(entry);
    this.log('retr', { uid: entry.uid, size: raw.length });
  }

  private top(args: string[]): Promise<void> {
    if (args.length !== 2) return this.reply('-ERR syntax: TOP msg n');
    const maildrop = this.maildrop!;
    const found = maildrop.lookup(args[0]);
    if (!found.ok) return this.reply(`-ERR ${found.reason}`);
    if (!/^[0-9]{1,9}$/.test(args[1])) return this.reply('-ERR invalid line count');
    const raw = maildrop.raw(found.entry);
    if (!raw) return this.reply('-ERR message no longer in the maildrop');
    return this.write(Buffer.concat([Buffer.from('+OK top of message follows\r\n'), multiline(topOf(raw, Number(args[1])))]));
  }

  private dele(args: string[]): Promise<void> {
    if (args.length !== 1) return this.reply('-ERR syntax: DELE msg');
    const found = this.maildrop!.lookup(args[0]);
    if (!found.ok) return this.reply(`-ERR ${found.reason}`);
    this.maildrop!.dele(found.entry);
    return this.reply(`+OK message ${found.entry.number} deleted`);
  }

  private rset(args: string[]): Promise<void> {
    if (args.length) return this.reply('-ERR syntax: RSET');
    this.maildrop!.rset();
    const { count, octets } = this.maildrop!.stat();
    return this.reply(`+OK maildrop has ${count} messages (${octets} octets)`);
  }
}
