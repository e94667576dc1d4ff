// The journey of one message for trainers: the page frame is rendered here; flow.js draws the
// sequence between sender, punto di accesso, punto di ricezione, punto di consegna and recipient
// from /api/v1/flows/<key>, and redraws as the provider log streams in (SSE).
import type { Testbed } from '../../testbed/testbed.js';
import { html, type Html } from '../html.js';
import { texts, type Lang } from '../i18n.js';
import { when } from '../layout.js';

export function flowPage(key: string, lang: Lang): Html {
  const t = texts(lang);
  return html`<section class="flow" id="flow" data-key="${key}" data-lang="${lang}">
<h1>${t.flowTitle} <span class="live" id="live" hidden>● ${t.live}</span></h1>
<div id="flow-summary" class="flow-summary"></div>
<p class="flow-controls">${t.advance}
<button type="button" class="advance" data-by="1h">1 h</button>
<button type="button" class="advance" data-by="12h">12 h</button>
<button type="button" class="advance" data-by="24h">24 h</button>
<span class="muted" id="clock-now"></span></p>
<div id="sequence" class="sequence" role="img" aria-label="${t.flowTitle}"></div>
<ol id="steps" class="steps"></ol>
<p id="flow-error" class="err" hidden></p>
</section>`;
}

export function flowsPage(tb: Testbed, lang: Lang): Html {
  const t = texts(lang);
  const flows = tb.store.findFlows({ limit: 1_000_000 }).reverse().slice(0, 200);
  return html`<h1>${t.flows}</h1>
${flows.length === 0 ? html`<p class="muted">${t.noFlows}</p>` : html`<table class="list">
<thead><tr><th>${t.date}</th><th>${t.subject}</th><th>${t.sender}</th><th>${t.recipients}</th><th>${t.identificativo}</th></tr></thead>
<tbody>${flows.map((f) => html`<tr><td>${when(f.createdAt, lang)}</td><td><a href="/ui/flows/${encodeURIComponent(f.identificativo)}">${f.subject || '(—)'}</a></td>
<td>${f.sender}</td><td>${f.recipients.map((r) => html`<span class="state ${r.state}">${r.address}</span> `)}</td><td><code>${f.identificativo}</code></td></tr>`)}</tbody></table>`}`;
}
