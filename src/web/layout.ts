// The frame of every UI page: head (no inline script or style: the CSP forbids both), the
// navigation, the language switch, and the page's own ES modules.
import { html, type Fragment, type Html } from './html.js';
import { kindLabel, texts, type Lang } from './i18n.js';

/** what UI pages may load: only this origin's scripts and styles, nothing inline, no plugins */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface PageOptions {
  lang: Lang;
  title: string;
  /** the current URL, for the language switch to come back to */
  path: string;
  nav?: 'mailboxes' | 'flows' | 'compose' | 'controls';
  /** module names under /ui/assets/ */
  scripts?: string[];
  /** token-protected testbeds get a sign-in link instead of the navigation on the login page */
  bare?: boolean;
}

export function page(options: PageOptions, main: Fragment): Html {
  const t = texts(options.lang);
  const other: Lang = options.lang === 'it' ? 'en' : 'it';
  const item = (key: PageOptions['nav'], href: string, label: string) =>
    html`<li><a href="${href}"${key === options.nav ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<!doctype html>
<html lang="${options.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · pec-testbed</title>
<link rel="stylesheet" href="/ui/assets/app.css">
<link rel="icon" href="data:,">
</head>
<body>
<header class="top">
  <a class="brand" href="/ui/">pec-testbed <small>${t.tagline}</small></a>
  ${options.bare ? '' : html`<nav><ul>
    ${item('mailboxes', '/ui/', t.navMailboxes)}
    ${item('flows', '/ui/flows', t.navFlows)}
    ${item('compose', '/ui/compose', t.navCompose)}
    ${item('controls', '/ui/controls', t.navControls)}
    <li><a href="/api/v1/openapi.json">${t.navApi}</a></li>
  </ul></nav>`}
  <a class="lang" id="lang-switch" hreflang="${other}" href="/ui/lang/${other}?next=${encodeURIComponent(options.path)}">${t.switchTo}</a>
</header>
<main>
${main}
</main>
${(options.scripts ?? []).map((name) => html`<script type="module" src="/ui/assets/${name}"></script>\n`)}
</body>
</html>
`;
}

export function badge(kind: string | null, lang: Lang): Html {
  const { label, tone } = kindLabel(kind, lang);
  return html`<span class="badge ${tone}" data-kind="${kind ?? 'ordinaria'}">${label}</span>`;
}

/** virtual time as Italian local time (PEC timestamps are Italian time) */
export function when(ms: number | string, lang: Lang): string {
  const date = typeof ms === 'string' ? new Date(ms) : new Date(ms);
  return date.toLocaleString(lang === 'it' ? 'it-IT' : 'en-GB', { timeZone: 'Europe/Rome', dateStyle: 'short', timeStyle: 'medium' });
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
