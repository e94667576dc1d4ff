// Who may talk to the HTTP API and the UI. On loopback without a token anyone on this machine may
// (it is a test tool), but a web page in the user's browser may not: the Host header must name a
// loopback address (no DNS rebinding) and state-changing requests from another origin are refused.
// Bound elsewhere, a token is required: `Authorization: Bearer <token>`, or the UI's cookie.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { errorBody, HttpError } from './errors.js';

export const TOKEN_COOKIE = 'pec_testbed_token';

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}

/** the token in force: the one given, else a fresh one when bound beyond loopback, else none */
export function resolveToken(host: string, token: string | undefined): string | null {
  if (token !== undefined && token !== '') return token;
  return isLoopbackHost(host) ? null : randomBytes(18).toString('base64url');
}

export function sameSecret(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(part.slice(at + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** the hostname part of a Host header (`[::1]:2080` -> `::1`) */
function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(1, hostHeader.indexOf(']'));
  return hostHeader.replace(/:\d+$/, '');
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** reachable without a token: health probes, the login page and the UI's static files */
const PUBLIC = [/^\/livez$/, /^\/readyz$/, /^\/ui\/login$/, /^\/ui\/assets\//];

export function requestToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  const bearer = header && /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
  return bearer || cookieValue(req, TOKEN_COOKIE);
}

export function guard(token: string | null): RequestHandler {
  return (req, res, next) => {
    const refuse = (error: HttpError) => {
      if (req.path.startsWith('/ui') && error.status === 401) {
        res.redirect(303, `/ui/login?next=${encodeURIComponent(req.originalUrl)}`);
        return;
      }
      if (error.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="pec-testbed"');
      res.status(error.status).json(errorBody(error));
    };
    const host = req.headers.host ?? '';
    if (token === null && !isLoopbackHost(hostnameOf(host))) {
      return refuse(new HttpError(403, 'forbidden', `Host "${host}" is not a loopback name; start with --api-token to serve other hosts`, 'Host'));
    }
    if (UNSAFE.has(req.method)) {
      const origin = req.headers.origin;
      let originHost: string | null = null;
      try {
        originHost = origin && origin !== 'null' ? new URL(origin).host : null;
      } catch {
        originHost = null;
      }
      if ((origin !== undefined && originHost !== host) || req.headers['sec-fetch-site'] === 'cross-site') {
        return refuse(new HttpError(403, 'forbidden', `cross-origin request from ${origin ?? 'another site'} refused`, 'Origin'));
      }
    }
    if (token !== null && !PUBLIC.some((re) => re.test(req.path)) && !sameSecret(token, requestToken(req))) {
      return refuse(new HttpError(401, 'unauthorized', 'this testbed requires its API token: Authorization: Bearer <token>', 'Authorization'));
    }
    next();
  };
}
