// One mailbox: its folders, a search (subject, kind), and its messages newest first with kind
// badges and unread state.
import type { Testbed } from '../../testbed/testbed.js';
import { findMessages } from '../../testbed/messages.js';
import { html, seg, type Html } from '../html.js';
import { KNOWN_KINDS, kindLabel, texts, type Lang } from '../i18n.js';
import { badge, bytes, when } from '../layout.js';

export interface MailboxQuery {
  folder: string;
  q?: string;
  kind?: string;
}

const PAGE_SIZE = 500;

export function mailboxPage(tb: Testbed, address: string, query: MailboxQuery, lang: Lang): Html {
  const t = texts(lang);
  const folders = tb.store.listFolders(address);
  const found = findMessages(tb.store, {
    mailbox: address,
    folder: query.folder,
    subject: query.q || undefined,
    kind: query.kind || undefined,
  }).reverse().slice(0, PAGE_SIZE);
  const link = (folder: string) => `/ui/mailboxes/${seg(address)}?folder=${encodeURIComponent(folder)}`;
  return html`<h1>${address}</h1>
<nav class="tabs" aria-label="${t.folder}"><ul>${folders.map((f) => html`<li><a href="${link(f.name)}"${f.name === query.folder ? html` aria-current="page"` : ''}>${f.name}</a></li>`)}</ul></nav>
<form class="search" method="get" action="/ui/mailboxes/${seg(address)}">
<input type="hidden" name="folder" value="${query.folder}">
<label>${t.subjectContains} <input type="search" name="q" value="${query.q ?? ''}"></label>
<label>${t.kind} <select name="kind"><option value="">${t.anyKind}</option>${KNOWN_KINDS.map((k) => html`<option value="${k}"${k === query.kind ? html` selected` : ''}>${kindLabel(k, lang).label}</option>`)}</select></label>
<button type="submit">${t.search}</button>
</form>
${found.length === 0 ? html`<p class="muted">${t.noMessages}</p>` : html`<table class="list messages">
<thead><tr><th>${t.kind}</th><th>${t.subject}</th><th>${t.from}</th><th>${t.date}</th><th class="num">${t.size}</th></tr></thead>
<tbody>${found.map((m) => html`<tr class="${m.flags.includes('\\Seen') ? 'seen' : 'unread'}" data-id="${m.id}">
<td>${badge(m.kind, lang)}</td>
<td><a href="/ui/messages/${m.id}">${m.subject || '(—)'}</a></td>
<td>${m.from ?? ''}</td><td>${when(m.internalDate, lang)}</td><td class="num">${bytes(m.size)}</td></tr>`)}</tbody></table>`}`;
}
