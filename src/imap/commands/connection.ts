// Commands about the connection rather than a mailbox: CAPABILITY, NOOP, LOGOUT, ID (RFC 2971),
// NAMESPACE (RFC 2342), ENABLE (RFC 5161), STARTTLS, LOGIN and AUTHENTICATE PLAIN with SASL-IR
// (RFC 4959). Failed logins are answered ever more slowly and end the connection after a limit.

import type { ParsedCommand } from '../command-parser.js';
import { tokenText } from '../command-parser.js';
import { bad, no } from '../errors.js';
import { ok, type CommandOutcome, type CommandSpec, type Session } from '../session.js';
import { encode } from '../wire.js';

const ANY = ['not-authenticated', 'authenticated', 'selected'] as const;
const AUTHED = ['authenticated', 'selected'] as const;

function noArgs(command: ParsedCommand): void {
  if (command.args.length) throw bad(`${command.name} takes no arguments`);
}

export const connectionCommands: Record<string, CommandSpec> = {
  CAPABILITY: {
    states: [...ANY],
    run(s, c) {
      noArgs(c);
      s.line(`* CAPABILITY ${s.capabilities()}`);
      return ok('CAPABILITY completed');
    },
  },
  NOOP: {
    states: [...ANY],
    run(s, c) {
      noArgs(c);
      return ok('NOOP completed');
    },
  },
  LOGOUT: {
    states: [...ANY],
    run(s, c) {
      noArgs(c);
      s.line('* BYE Logging out');
      s.line(`${c.tag} OK LOGOUT completed`);
      s.closeGracefully('logout');
      return 'done';
    },
  },
  ID: {
    states: [...ANY],
    run(s, c) {
      const arg = c.args[0];
      if (c.args.length !== 1 || !(arg.kind === 'list' || (arg.kind === 'atom' && arg.value.toUpperCase() === 'NIL'))) {
        throw bad('ID expects a parameter list or NIL');
      }
      s.pieces(['* ID ', ...encode(['name', 'pec-testbed', 'vendor', 'pec-testbed', 'support-url', 'https://github.com/pec-testbed'])]);
      return ok('ID completed');
    },
  },
  NAMESPACE: {
    states: [...AUTHED],
    run(s, c) {
      noArgs(c);
      s.line('* NAMESPACE (("" "/")) NIL NIL');
      return ok('NAMESPACE completed');
    },
  },
  ENABLE: {
    states: [...AUTHED],
    run(s, c) {
      if (!c.args.length) throw bad('ENABLE expects capability names');
      // no ENABLE-able extension is implemented: nothing gets enabled (RFC 5161 §3.1)
      s.line('* ENABLED');
      return ok('ENABLE completed');
    },
  },
  STARTTLS: {
    states: ['not-authenticated'],
    run(s, c) {
      noArgs(c);
      if (s.secure) throw bad('TLS is already active');
      if (!s.ctx.secureContext) throw no('TLS is not configured on this listener', 'UNAVAILABLE');
      s.afterReply = () => s.upgradeToTls();
      return ok('Begin TLS negotiation now');
    },
  },
  LOGIN: {
    states: ['not-authenticated'],
    async run(s, c) {
      const user = tokenText(c.args[0]);
      const password = tokenText(c.args[1]);
      if (c.args.length !== 2 || user === null || password === null) throw bad('LOGIN expects user and password');
      return login(s, c, user, password);
    },
  },
  AUTHENTICATE: {
    states: ['not-authenticated'],
    async run(s, c) {
      const mechanism = tokenText(c.args[0])?.toUpperCase();
      if (!mechanism || c.args.length > 2) throw bad('AUTHENTICATE expects a mechanism');
      if (mechanism !== 'PLAIN') throw no(`Unsupported mechanism ${mechanism.replace(/[^A-Z0-9-]/g, '')}`, 'CANNOT');
      if (s.plaintextAuthForbidden) throw no('Use STARTTLS before sending a password from a non-local address', 'PRIVACYREQUIRED');
      let response = c.args.length === 2 ? tokenText(c.args[1]) : null;
      if (response === null) {
        s.line('+ ');
        response = await s.readContinuation();
        if (response === null) {
          s.destroy('client left during AUTHENTICATE');
          return 'done';
        }
        if (response.trim() === '*') throw bad('AUTHENTICATE cancelled');
      }
      const text = response.trim() === '=' ? '' : response.trim();
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw bad('Invalid base64 in AUTHENTICATE response');
      const [authzid, authcid, password] = Buffer.from(text, 'base64').toString('utf8').split('\0');
      if (authcid === undefined || password === undefined) throw bad('Malformed PLAIN response');
      if (authzid && authzid.toLowerCase() !== authcid.toLowerCase()) {
        throw no('Authorization identity must be the login identity', 'AUTHORIZATIONFAILED');
      }
      return login(s, c, authcid, password);
    },
  },
};

async function login(s: Session, c: ParsedCommand, user: string, password: string): Promise<CommandOutcome> {
  if (s.plaintextAuthForbidden) throw no('Use STARTTLS before sending a password from a non-local address', 'PRIVACYREQUIRED');
  const found = await s.ctx.authenticate(user, password);
  if (s.closed) return 'done';
  if (!found) return loginFailed(s, c, user);
  const address = found.toLowerCase();
  const verdict = await s.ctx.hooks.onLogin?.({ sessionId: s.id, remoteAddress: s.remoteAddress, user, address });
  if (s.closed) return 'done';
  if (verdict?.action === 'drop') {
    s.destroy('onLogin hook dropped the connection');
    return 'done';
  }
  if (verdict?.action === 'refuse') return { status: 'NO', code: 'UNAVAILABLE', text: verdict.text ?? 'Login refused' };
  s.address = address;
  s.state = 'authenticated';
  s.ctx.bindAddress(s, address);
  s.ctx.log('imap.login', { session: s.id, user, address, secure: s.secure, remote: s.remoteAddress });
  return ok('Logged in', `CAPABILITY ${s.capabilities()}`);
}

async function loginFailed(s: Session, c: ParsedCommand, user: string): Promise<CommandOutcome> {
  s.loginFailures++;
  s.ctx.log('imap.login-failed', { session: s.id, user, failures: s.loginFailures, remote: s.remoteAddress });
  const { loginFailureDelayMs, maxLoginFailures } = s.ctx.limits;
  await new Promise((resolve) => setTimeout(resolve, loginFailureDelayMs * 2 ** (s.loginFailures - 1)));
  if (s.closed) return 'done';
  if (s.loginFailures >= maxLoginFailures) {
    s.line(`${c.tag} NO [AUTHENTICATIONFAILED] Invalid credentials`);
    s.bye('Too many failed logins');
    return 'done';
  }
  return { status: 'NO', code: 'AUTHENTICATIONFAILED', text: 'Invalid credentials' };
}
