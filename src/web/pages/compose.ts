// Composing a PEC as any mailbox: receipt flavour, magic recipients (tags the simulated gestore
// of the recipient reacts to), an attachment. compose.js sends it through POST /api/v1/send, the
// real SMTP submission, then opens the message's journey.
import { MAGIC_TAGS } from '../../faults/magic.js';
import type { Testbed } from '../../testbed/testbed.js';
import { html, type Html } from '../html.js';
import { texts, type Lang } from '../i18n.js';

/** Italian and English for the magic tags of src/faults/magic.ts; a tag added there shows its own (English) line */
const MAGIC_TEXT: Record<string, { it: string; en: string }> = {
  silenzio: { it: 'il gestore del destinatario non risponde: scattano i timer di 12 e 24 ore', en: "the recipient's provider stays silent: the 12 h and 24 h timers run" },
  piena: { it: 'casella piena: avviso di mancata consegna', en: 'mailbox full: non-delivery notice' },
  virus: { it: 'virus rilevato dal gestore del destinatario', en: "virus found by the recipient's provider" },
  doppia: { it: 'ricevuta di consegna duplicata', en: 'duplicated delivery receipt' },
  '541': { it: 'mancata consegna come preavviso con errore-esteso 5.4.1 (come alcuni gestori reali)', en: 'non-delivery sent as preavviso with errore-esteso 5.4.1 (as some real providers do)' },
  'ritardo-<N>h': { it: 'la ricevuta di consegna arriva dopo N ore virtuali', en: 'the delivery receipt comes N virtual hours later' },
};

/** the tags offered, `<N>` filled with an example */
export const MAGIC_OPTIONS = MAGIC_TAGS.map((m) => ({
  tag: `+${m.tag.replace('<N>', '2')}`,
  shown: `+${m.tag}`,
  it: MAGIC_TEXT[m.tag]?.it ?? m.fault,
  en: MAGIC_TEXT[m.tag]?.en ?? m.fault,
}));

export function composePage(tb: Testbed, lang: Lang, from: string | undefined): Html {
  const t = texts(lang);
  const senders = tb.store.listAccounts().filter((a) => !tb.topology.gestori.some((g) => g.receiptMailbox === a.address));
  const pec = senders.filter((a) => a.gestore !== null);
  const selected = from ?? pec[0]?.address;
  return html`<h1>${t.compose}</h1>
<form id="compose" class="compose" novalidate>
<label>${t.asMailbox} <select name="from" id="compose-from">${senders.map((a) => html`<option value="${a.address}"${a.address === selected ? html` selected` : ''}>${a.address}${a.gestore ? '' : ` (${t.ordinary})`}</option>`)}</select></label>
<label>${t.to} <input type="text" name="to" id="compose-to" required placeholder="protocollo@pec.comune-mineo.test" autocomplete="off"></label>
<fieldset class="magic"><legend>${t.magic}</legend>
<p class="muted">${t.magicHelp}</p>
<select id="magic-address">${pec.map((a) => html`<option value="${a.address}">${a.address}</option>`)}</select>
<select id="magic-tag">${MAGIC_OPTIONS.map((m) => html`<option value="${m.tag}">${m.tag}</option>`)}</select>
<button type="button" id="magic-add">${t.add}</button>
<dl class="magic-legend">${MAGIC_OPTIONS.map((m) => html`<dt><code>${m.shown}</code></dt><dd>${m[lang]}</dd>`)}</dl>
</fieldset>
<label>${t.cc} <input type="text" name="cc" id="compose-cc" autocomplete="off"></label>
<label>${t.subject} <input type="text" name="subject" id="compose-subject"></label>
<label>${t.receiptType} <select name="receipt" id="compose-receipt"><option value="completa">completa</option><option value="breve">breve</option><option value="sintetica">sintetica</option></select></label>
<label>${t.text} <textarea name="text" id="compose-text" rows="6"></textarea></label>
<label>${t.attach} <input type="file" name="attachment" id="compose-attachment"></label>
<p><button type="submit" id="compose-send" data-sending="${t.sending}">${t.send}</button></p>
<p id="compose-error" class="err" role="alert" hidden></p>
</form>`;
}
