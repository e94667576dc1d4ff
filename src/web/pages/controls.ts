// The trainer's and tester's levers: the virtual clock (advance, speed), fault rules, reset.
// controls.js drives them through the JSON API.
import { clockJson } from '../../api/routes/clock.js';
import type { Testbed } from '../../testbed/testbed.js';
import { html, type Html } from '../html.js';
import { texts, type Lang } from '../i18n.js';
import { when } from '../layout.js';

const FAULT_EXAMPLE = '{\n  "at": "consegna",\n  "match": { "recipient": "protocollo@pec.comune-mineo.test" },\n  "do": { "drop": true },\n  "times": 1\n}';

/** one-shot actions offered for "the next message to / from" */
const NEXT_ACTIONS: ReadonlyArray<{ value: string; it: string; en: string }> = [
  { value: '{"drop":true}', it: 'si perde (nessuna ricevuta: scattano i timer)', en: 'is lost (no receipt: the timers run)' },
  { value: '{"delay":"13h"}', it: 'viene consegnato 13 ore dopo', en: 'is delivered 13 hours later' },
  { value: '{"error":"no-dest"}', it: 'trova una casella inesistente', en: 'finds no such mailbox' },
  { value: '{"error":"altro"}', it: 'trova la casella piena', en: 'finds the mailbox full' },
  { value: '{"error":"virus"}', it: 'viene rilevato come virus', en: 'is flagged as a virus' },
  { value: '{"duplicate":true}', it: 'riceve una ricevuta di consegna doppia', en: 'gets a duplicated delivery receipt' },
];

export function controlsPage(tb: Testbed, lang: Lang): Html {
  const t = texts(lang);
  const clock = clockJson(tb);
  return html`<h1>${t.controls}</h1>
<section class="panel" id="clock"><h2>${t.clock}</h2>
<p>${t.now}: <strong id="clock-now">${when(clock.ms, lang)}</strong> · ${t.speed}: <strong id="clock-speed">×${clock.speed}</strong></p>
<form id="advance-form" class="inline"><label>${t.advanceBy} <input name="by" value="12h" size="6" required></label> <button type="submit">${t.advanceBy}</button></form>
<form id="speed-form" class="inline"><label>${t.speed} <input name="speed" type="number" min="0" step="any" value="${clock.speed}" size="8" required></label> <button type="submit">${t.setSpeed}</button></form>
</section>
<section class="panel" id="faults"><h2>${t.faults}</h2>
<ul id="fault-list" class="plain">${tb.faults.list().map((rule) => html`<li data-rule="${rule.id}"><code>${JSON.stringify({ id: rule.id, at: rule.at, match: rule.match, do: rule.do, times: rule.times })}</code>
<small class="muted">hits ${rule.hits}${rule.exhausted ? ' · exhausted' : ''}</small> <button type="button" class="fault-remove" data-id="${rule.id}">${t.remove}</button></li>`)}</ul>
<form id="next-form" class="inline"><label>${t.nextTo} <input name="to" type="text" size="34" placeholder="protocollo@pec.comune-mineo.test" required></label>
<select name="do">${NEXT_ACTIONS.map((a) => html`<option value="${a.value}">${a[lang]}</option>`)}</select>
<button type="submit">${t.addFault}</button></form>
<details><summary>JSON</summary><form id="fault-form"><textarea name="rule" rows="7" cols="60">${FAULT_EXAMPLE}</textarea><br>
<button type="submit">${t.addFault}</button></form></details>
<p><button type="button" id="fault-clear">${t.clearFaults}</button></p>
</section>
<section class="panel" id="reset"><h2>${t.reset}</h2><p class="muted">${t.resetHelp}</p>
<button type="button" class="reset" data-reseed="false">${t.resetKeep}</button>
<button type="button" class="reset" data-reseed="true">${t.resetReseed}</button></section>
<p id="controls-error" class="err" role="alert" hidden></p>`;
}
