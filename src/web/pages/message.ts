// One message as a person reads it: the signature verdict (signer, chain, time), the daticert as a
// table, the notice text, the original inside postacert.eml with its attachments, every header and
// the MIME tree. Mail HTML only ever appears in a sandboxed iframe served with its own CSP.
import type { EmbeddedJson, MessageDetail, MimePartJson } from '../../api/message-view.js';
import type { Daticert } from '../../pec/types.js';
import { html, type Fragment, type Html } from '../html.js';
import { texts, type Lang, type Texts } from '../i18n.js';
import { badge, bytes, when } from '../layout.js';

function yesNo(ok: boolean, t: Texts): Html {
  return html`<span class="${ok ? 'ok' : 'err'}">${ok ? t.yes : t.no}</span>`;
}

function signatureSection(m: MessageDetail, t: Texts): Html {
  const s = m.signature;
  if (!s.present) return html`<section class="panel" id="signature"><h2>${t.signature}</h2><p class="muted">${t.notSigned}</p></section>`;
  return html`<section class="panel" id="signature"><h2>${t.signature}</h2>
<p class="verdict ${s.valid && s.chainValid ? 'ok' : 'err'}">${s.valid && s.chainValid ? t.signatureValid : t.signatureInvalid}</p>
<table class="kv">
<tr><th>${t.signer}</th><td>${s.signer ? html`${s.signer.subject}${s.signer.email ? html` &lt;${s.signer.email}&gt;` : ''}<br><small class="muted">SHA-1 ${s.signer.fingerprint}</small>` : '—'}</td></tr>
<tr><th>${t.chain}</th><td>${s.chainValid ? html`<span class="ok">${t.chainOk}</span>` : html`<span class="err">${t.chainKo}</span>`}</td></tr>
<tr><th>${t.signingTime}</th><td>${s.signingTime ?? '—'}</td></tr>
<tr><th>${t.validAtSigningTime}</th><td>${yesNo(s.validAtSigningTime, t)}</td></tr>
<tr><th>${t.algorithm}</th><td>${s.algorithm ?? '—'} <small class="muted">${s.protocol ?? ''}</small></td></tr>
<tr><th>${t.verdict}</th><td>${m.verdict.valid ? html`<span class="ok">${t.valid}</span>` : html`<span class="err">${t.invalid}</span>`}
${m.verdict.reasons.length ? html`<ul class="reasons">${m.verdict.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''}
${m.verdict.warnings.length ? html`<ul class="warnings">${m.verdict.warnings.map((r) => html`<li>${r}</li>`)}</ul>` : ''}</td></tr>
</table></section>`;
}

function daticertSection(d: Daticert, t: Texts): Html {
  const row = (name: string, value: Fragment) => html`<tr><th><code>${name}</code></th><td>${value}</td></tr>`;
  return html`<section class="panel" id="daticert"><h2>${t.daticert}</h2>
<table class="kv daticert">
${row('tipo', d.tipo)}
${row('errore', d.errore)}
${row('mittente', d.mittente)}
${row('destinatari', html`<ul class="plain">${d.destinatari.map((x) => html`<li>${x.address} <small class="muted">(${x.tipo})</small></li>`)}</ul>`)}
${row('risposte', d.risposte)}
${row('oggetto', d.oggetto ?? '—')}
${row('gestore-emittente', d.gestoreEmittente)}
${row('data', `${d.data.giorno} ${d.data.ora} (${d.data.zona})`)}
${row('identificativo', d.identificativo)}
${row('msgid', d.msgid ?? '—')}
${d.ricevuta ? row('ricevuta', d.ricevuta) : ''}
${d.consegna ? row('consegna', d.consegna) : ''}
${d.ricezione.length ? row('ricezione', d.ricezione.join(', ')) : ''}
${d.erroreEsteso ? row('errore-esteso', d.erroreEsteso) : ''}
</table></section>`;
}

function attachmentList(id: number, list: EmbeddedJson['attachments'], t: Texts): Html {
  if (list.length === 0) return html``;
  return html`<h3>${t.attachments}</h3><ul class="attachments">${list.map((a) => html`<li><a href="/api/v1/messages/${id}/parts/${a.path}" download>${a.filename ?? a.path}</a> <small class="muted">${a.mediaType}, ${bytes(a.size)}</small></li>`)}</ul>`;
}

function htmlFrame(id: number, at: string | null, t: Texts): Html {
  const src = `/ui/messages/${id}/html${at ? `?at=${encodeURIComponent(at)}` : ''}`;
  return html`<h3>${t.htmlPart}</h3><iframe class="mail-html" sandbox="" referrerpolicy="no-referrer" src="${src}" title="${t.htmlPart}"></iframe>`;
}

const ORIGINAL_HEADERS = ['from', 'to', 'cc', 'subject', 'date', 'message-id', 'x-riferimento-message-id', 'reply-to'];

function originalSection(id: number, e: EmbeddedJson, t: Texts): Html {
  return html`<section class="panel" id="original"><h2>${t.original}</h2>
<p><a href="/api/v1/messages/${id}/parts/${e.path}" download>postacert.eml</a> <small class="muted">${bytes(e.size)}</small></p>
<table class="kv">${e.headers.filter((h) => ORIGINAL_HEADERS.includes(h.name.toLowerCase())).map((h) => html`<tr><th>${h.name}</th><td>${h.value}</td></tr>`)}</table>
${e.text !== null ? html`<h3>${t.body}</h3><pre class="body">${e.text}</pre>` : ''}
${e.html !== null ? htmlFrame(id, e.path, t) : ''}
${attachmentList(id, e.attachments, t)}
${e.postacert ? html`<details><summary>${t.original} (${e.postacert.path})</summary>${originalSection(id, e.postacert, t)}</details>` : ''}
</section>`;
}

function mimeTree(id: number, part: MimePartJson): Html {
  const leaf = part.children.length === 0;
  const label = html`<code>${part.mediaType}</code>${part.filename ? html` <em>${part.filename}</em>` : ''} <small class="muted">${part.path || 'root'} · ${bytes(part.size)}${part.transferEncoding !== '7bit' ? ` · ${part.transferEncoding}` : ''}</small>`;
  return html`<li>${leaf && part.path ? html`<a href="/api/v1/messages/${id}/parts/${part.path}" download>${label}</a>` : label}
${part.children.length ? html`<ul>${part.children.map((c) => mimeTree(id, c))}</ul>` : ''}
${part.message ? html`<ul>${mimeTree(id, part.message)}</ul>` : ''}</li>`;
}

export function messagePage(m: MessageDetail, lang: Lang): Html {
  const t = texts(lang);
  const flowKey = m.identificativo ?? m.pec.ids.identificativo ?? m.refMessageId;
  return html`<article class="message" data-id="${m.id}">
<h1>${m.subject || '(—)'}</h1>
<p class="meta">${badge(m.kind, lang)} ${m.pec.variant && m.pec.variant !== m.kind ? html`<span class="badge plain">${m.pec.variant}</span>` : ''}
<span class="muted">${m.mailbox} / ${m.folder} · ${when(m.internalDate, lang)}</span></p>
<p class="actions">
<a class="button" href="/api/v1/messages/${m.id}/raw" download>${t.download}</a>
${flowKey ? html`<a class="button" href="/ui/flows/${encodeURIComponent(flowKey)}">${t.flow}</a>` : ''}
<button type="button" id="toggle-seen" data-id="${m.id}" data-seen="${String(m.seen)}" data-label-read="${t.markRead}" data-label-unread="${t.markUnread}">${m.seen ? t.markUnread : t.markRead}</button>
</p>
<table class="kv summary">
<tr><th>${t.from}</th><td>${m.headers.find((h) => h.name.toLowerCase() === 'from')?.value ?? ''}</td></tr>
<tr><th>${t.to}</th><td>${m.to.map((x) => x.address).join(', ')}</td></tr>
${m.cc.length ? html`<tr><th>${t.cc}</th><td>${m.cc.map((x) => x.address).join(', ')}</td></tr>` : ''}
<tr><th>${t.date}</th><td>${m.date ?? ''}</td></tr>
</table>
${signatureSection(m, t)}
${m.daticert ? daticertSection(m.daticert, t) : ''}
${m.text !== null ? html`<section class="panel" id="notice"><h2>${m.pec.kind ? t.notice : t.body}</h2><pre class="body">${m.text}</pre></section>` : ''}
${m.html !== null ? html`<section class="panel">${htmlFrame(m.id, null, t)}</section>` : ''}
${m.postacert ? originalSection(m.id, m.postacert, t) : ''}
${m.attachments.length ? html`<section class="panel">${attachmentList(m.id, m.attachments, t)}</section>` : ''}
<details class="panel" id="headers"><summary>${t.headers} (${m.headers.length})</summary>
<table class="kv headers">${m.headers.map((h) => html`<tr><th>${h.name}</th><td>${h.value}</td></tr>`)}</table></details>
<details class="panel" id="mime" open><summary>${t.mime}</summary><ul class="mime">${mimeTree(m.id, m.mime)}</ul></details>
${m.problems.length ? html`<details class="panel"><summary>${t.problems} (${m.problems.length})</summary><ul>${m.problems.map((p) => html`<li>${p}</li>`)}</ul></details>` : ''}
</article>`;
}
