// Recovering the certification facts of a message from a busta as received: the recipient's
// gestore knows the message only through the busta's daticert.xml and headers, and every
// receipt it emits must repeat those facts exactly.
import type { Mailbox } from '../pec/mime-headers.js';
import type { InspectedPec } from './inspection.js';
import type { Destinatario, MessageFacts, ReceiptFlavour } from '../pec/types.js';

const FLAVOURS: ReceiptFlavour[] = ['completa', 'breve', 'sintetica'];

/** `"Name" <address>` as the busta's "Per conto di" shows the original sender */
export function displayOf(mailbox: Mailbox): string {
  return mailbox.name ? `"${mailbox.name.replace(/["\\]/g, '')}" <${mailbox.address}>` : mailbox.address;
}

export function factsFromParsed(parsed: InspectedPec): MessageFacts | null {
  const d = parsed.daticert;
  if (!d || !d.mittente || !d.identificativo) return null;
  const original = parsed.postacert?.parsed;
  const from = original?.from ?? null;
  const display = from ? displayOf(from) : d.mittente;
  const ricevuta = (d.ricevuta ?? parsed.tipoRicevuta ?? 'completa').trim().toLowerCase() as ReceiptFlavour;
  return {
    mittente: d.mittente,
    mittenteDisplay: display,
    destinatari: d.destinatari.map((x): Destinatario => ({ address: x.address, tipo: x.tipo === 'esterno' ? 'esterno' : 'certificato' })),
    to: (original?.to ?? parsed.to).map((m) => m.address.toLowerCase()),
    risposte: d.risposte ?? d.mittente,
    oggetto: d.oggetto ?? '',
    identificativo: d.identificativo,
    msgid: d.msgid,
    ricevuta: FLAVOURS.includes(ricevuta) ? ricevuta : 'completa',
  };
}
