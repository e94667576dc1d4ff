// The web UI: server-rendered pages over the same testbed as the API, small ES modules for what
// must be live (flow view, compose, controls), a strict CSP on every page, and mail HTML only
// inside a sandboxed iframe whose own response forbids scripts and gives it an opaque origin.
import express, { Router, type Request, type Response } from 'express';
import { join } from 'node:path';
import { sameSecret, TOKEN_COOKIE } from '../api/auth.js';
import { messageDetail, messageHit, resolvePart } from '../api/message-view.js';
import { parsePec } from '../pec/parse.js';
import type { Testbed } from '../testbed/testbed.js';
import { packageRoot } from '../topology/package-paths.js';
import { escapeHtml, html, type Html } from './html.js';
import { LANG_COOKIE, langOf, texts, type Lang } from './i18n.js';
import { page, UI_CSP, type PageOptions } from './layout.js';
import { composePage } from './pages/compose.js';
import { controlsPage } from './pages/controls.js';
import { flowPage, flowsPage } from './pages/flow.js';
import { homePage } from './pages/home.js';
import { loginPage } from './pages/login.js';
import { mailboxPage } from './pages/mailbox.js';
import { messagePage } from './pages/message.js';

/** the UI's static modules and CSS; under src/ so they ship in the package without a build step */
export function assetsDir(): string {
  return join(packageRoot(), 'src', 'web', 'assets');
}

/**
 * mail HTML: no scripts, no network, no forms, an opaque origin; inline styles and data: images
 * only. Framed by the UI alone; the origin is spelled out because a sandboxed document has no
 * 'self' to compare its ancestors with.
 */
function mailHtmlCsp(req: Request): string {
  const host = req.headers.host ?? '';
  const ancestor = /^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(host) ? `${req.protocol}://${host}` : "'none'";
  return `sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; frame-ancestors ${ancestor}`;
}

class PageError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function send(res: Response, body: Html, status = 200): void {
  res.status(status).setHeader('Content-Security-Policy', UI_CSP);
  res.setHeader('Cache-Control', 'no-store');
  res.type('html').send(body.value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function safeNext(value: unknown): string {
  const next = str(value) ?? '/ui/';
  // only a path of this site: never `//evil.example` or `https://...`
  return /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/ui/';
}

export function createUi(tb: Testbed): Router {
  const ui = Router();
  const options = (req: Request, title: string, nav?: PageOptions['nav'], scripts?: string[]): PageOptions => ({
    lang: langOf(req),
    title,
    path: req.originalUrl,
    nav,
    scripts,
  });

  ui.use('/assets', express.static(assetsDir(), { index: false, fallthrough: false, maxAge: 0 }));

  ui.get('/lang/:lang', (req, res) => {
    const lang: Lang = req.params.lang === 'en' ? 'en' : 'it';
    res.setHeader('Set-Cookie', `${LANG_COOKIE}=${lang}; Path=/; SameSite=Lax; Max-Age=31536000`);
    res.redirect(303, safeNext(req.query.next));
  });

  ui.get('/login', (req, res) => {
    const lang = langOf(req);
    send(res, page({ lang, title: texts(lang).login, path: req.originalUrl, bare: true }, loginPage(lang, safeNext(req.query.next), false)));
  });
  ui.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    const lang = langOf(req);
    const token = tb.apiToken;
    const given = str(req.body?.token);
    if (token !== null && !sameSecret(token, given)) {
      send(res, page({ lang, title: texts(lang).login, path: '/ui/login', bare: true }, loginPage(lang, safeNext(req.body?.next), true)), 401);
      return;
    }
    if (token !== null) res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`);
    res.redirect(303, safeNext(req.body?.next));
  });

  ui.get('/', (req, res) => {
    send(res, page(options(req, texts(langOf(req)).mailboxes, 'mailboxes'), homePage(tb, langOf(req))));
  });

  ui.get('/mailboxes/:address', (req, res) => {
    const address = req.params.address.trim().toLowerCase();
    if (!tb.store.getAccount(address)) throw new PageError(404, `${address}`);
    const folder = str(req.query.folder) ?? 'INBOX';
    if (!tb.store.getFolder(address, folder)) throw new PageError(404, `${address} / ${folder}`);
    send(res, page(options(req, address, 'mailboxes'), mailboxPage(tb, address, { folder, q: str(req.query.q), kind: str(req.query.kind) }, langOf(req))));
  });

  ui.get('/messages/:id', (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id < 1 || !tb.store.getMessage(id)) throw new PageError(404, req.params.id);
    const detail = messageDetail(tb.store, messageHit(tb.store, id), { caPem: tb.caPem, index: tb.index });
    send(res, page(options(req, detail.subject ?? String(id), 'mailboxes', ['message.js']), messagePage(detail, langOf(req))));
  });

  // The HTML of a message (or of the message inside part `at`), for the sandboxed iframe only.
  ui.get('/messages/:id/html', (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id < 1 || !tb.store.getMessage(id)) throw new PageError(404, req.params.id);
    let raw = tb.store.getRaw(id);
    const at = str(req.query.at);
    if (at) {
      const part = resolvePart(raw, at);
      if (!part || part.mediaType !== 'message/rfc822') throw new PageError(404, `${id} / ${at}`);
      raw = part.content;
    }
    const parsed = parsePec(raw);
    const body = parsed.html ?? `<pre>${escapeHtml(parsed.text ?? '')}</pre>`;
    res.setHeader('Content-Security-Policy', mailHtmlCsp(req));
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(body);
  });

  ui.get('/flows', (req, res) => {
    send(res, page(options(req, texts(langOf(req)).flows, 'flows'), flowsPage(tb, langOf(req))));
  });

  ui.get('/flows/:key', (req, res) => {
    send(res, page(options(req, texts(langOf(req)).flowTitle, 'flows', ['flow.js']), flowPage(req.params.key, langOf(req))));
  });

  ui.get('/compose', (req, res) => {
    send(res, page(options(req, texts(langOf(req)).compose, 'compose', ['compose.js']), composePage(tb, langOf(req), str(req.query.from))));
  });

  ui.get('/controls', (req, res) => {
    send(res, page(options(req, texts(langOf(req)).controls, 'controls', ['controls.js']), controlsPage(tb, langOf(req))));
  });

  ui.use((req, _res, next) => next(new PageError(404, req.path)));
  ui.use((err: unknown, req: Request, res: Response, next: (err?: unknown) => void) => {
    if (res.headersSent) return next(err);
    const lang = langOf(req);
    const t = texts(lang);
    // express (a malformed %-escape in a parameter), body-parser and friends mark the client's
    // mistakes with a 4xx status: answer with it, as the API does, not with a 500
    const given = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
    const clientError = typeof given === 'number' && Number.isInteger(given) && given >= 400 && given < 500 ? given : undefined;
    const status = err instanceof PageError ? err.status : clientError ?? 500;
    const title = status === 404 ? t.notFound : t.error;
    const message = err instanceof PageError ? err.message : status === 404 ? req.path : String((err as Error)?.message ?? err);
    send(res, page({ lang, title, path: req.originalUrl }, html`<h1>${title}</h1><p><code>${message}</code></p><p><a href="/ui/">${t.back}</a></p>`), status);
  });
  return ui;
}
