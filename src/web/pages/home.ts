// The mailboxes of every gestore and of the ordinary domains, with passwords and unread counts:
// the first thing a developer needs to point an application at the testbed.
import type { Account } from '../../store/types.js';
import type { Testbed } from '../../testbed/testbed.js';
import { html, seg, type Html } from '../html.js';
import { texts, type Lang } from '../i18n.js';

function rows(tb: Testbed, accounts: Account[], lang: Lang, receipt?: string): Html {
  const t = texts(lang);
  return html`<table class="list">
<thead><tr><th>${t.address}</th><th>${t.password}</th><th class="num">${t.messages}</th><th class="num">${t.unread}</th></tr></thead>
<tbody>${accounts.map((a) => {
    const messages = tb.store.findMessages({ address: a.address });
    const unseen = messages.filter((m) => !m.flags.includes('\\Seen')).length;
    return html`<tr${unseen > 0 ? html` class="unread"` : ''}>
<td><a href="/ui/mailboxes/${seg(a.address)}">${a.address}</a>${a.address === receipt ? html` <small class="muted">${t.receiptMailbox}</small>` : ''}${a.enabled ? '' : html` <span class="badge err">off</span>`}</td>
<td><code>${a.password}</code></td><td class="num">${messages.length}</td><td class="num">${unseen}</td></tr>`;
  })}</tbody></table>`;
}

export function homePage(tb: Testbed, lang: Lang): Html {
  const t = texts(lang);
  const accounts = tb.store.listAccounts();
  return html`<h1>${t.mailboxes}</h1>
<div class="cards">
${tb.topology.gestori.map((g) => html`<section class="card" data-gestore="${g.id}">
<h2>${g.name} <small class="muted">${g.id}</small></h2>
<p class="muted">${t.domains}: ${g.domains.join(', ')}</p>
${rows(tb, accounts.filter((a) => a.gestore === g.id), lang, g.receiptMailbox)}
</section>`)}
${tb.topology.ordinary.map((o) => html`<section class="card" data-domain="${o.domain}">
<h2>${t.ordinary} <small class="muted">${o.domain}</small></h2>
${rows(tb, accounts.filter((a) => a.gestore === null && a.address.endsWith(`@${o.domain}`)), lang)}
</section>`)}
</div>`;
}
