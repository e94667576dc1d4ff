// What each provider log event means in the journey of a message: which actor hands what to whom
// (the arrow of the sequence), and a short explanation in Italian and English for a class.
// Events not listed here (job retries, internal bookkeeping) are not drawn.

export const LANES = [
  { id: 'mittente', it: 'Mittente', en: 'Sender' },
  { id: 'accesso', it: 'Punto di accesso', en: 'Access point' },
  { id: 'ricezione', it: 'Punto di ricezione', en: 'Incoming point' },
  { id: 'consegna', it: 'Punto di consegna', en: 'Delivery point' },
  { id: 'destinatario', it: 'Destinatario', en: 'Recipient' },
];

const step = (from, to, tone, it, en) => ({ from, to, tone, it, en });

const STEPS = {
  'accesso:ricevuto': step('mittente', 'accesso', 'info',
    ['Invio', 'Il mittente consegna il messaggio al punto di accesso del proprio gestore, con SMTP autenticato su TLS.'],
    ['Submission', "The sender hands the message to its provider's access point over authenticated SMTP on TLS."]),
  'accesso:accettazione': step('accesso', 'mittente', 'ok',
    ['Ricevuta di accettazione', 'Il gestore del mittente attesta, con firma e data certificate, di aver accettato il messaggio e per quali destinatari.'],
    ['Acceptance receipt', "The sender's provider certifies, signed and timestamped, that it accepted the message and for which recipients."]),
  'accesso:non-accettazione': step('accesso', 'mittente', 'err',
    ['Avviso di non accettazione', 'Il messaggio non supera i controlli formali (mittente, destinatari, Bcc, dimensione): non viene inoltrato.'],
    ['Non-acceptance notice', 'The message fails the formal checks (sender, recipients, Bcc, size): it is not forwarded.']),
  'accesso:non-accettazione-virus': step('accesso', 'mittente', 'err',
    ['Non accettazione per virus', 'Il punto di accesso trova un virus nel messaggio e lo rifiuta.'],
    ['Non-acceptance (virus)', 'The access point finds a virus in the message and refuses it.']),
  'accesso:busta-emessa': step('accesso', 'accesso', 'info',
    ['Busta di trasporto', "Il punto di accesso racchiude l'originale nella busta di trasporto, firmata dal gestore, con i dati di certificazione."],
    ['Transport envelope', 'The access point wraps the original in the transport envelope, signed by the provider, with the certification data.']),
  'relay:busta': step('accesso', 'ricezione', 'info',
    ['Inoltro della busta', 'La busta viaggia via SMTP fino al punto di ricezione del gestore del destinatario.'],
    ['Envelope relayed', "The envelope travels over SMTP to the incoming point of the recipient's provider."]),
  'relay:busta-fallito': step('accesso', 'ricezione', 'err',
    ['Inoltro non riuscito', 'Il gestore del destinatario non accetta la busta (dominio o casella inesistente).'],
    ['Relay failed', "The recipient's provider does not take the envelope (unknown domain or mailbox)."]),
  'relay:errore-consegna': step('accesso', 'mittente', 'err',
    ['Avviso di mancata consegna', 'Non potendo consegnare la busta a nessun gestore, il gestore del mittente emette lui stesso la mancata consegna.'],
    ['Non-delivery notice', "Unable to hand the envelope to any provider, the sender's provider itself issues the non-delivery notice."]),
  'relay:scartato': step('accesso', 'accesso', 'warn',
    ['Messaggio perso', 'Guasto simulato: il messaggio non lascia il gestore; nessuna ricevuta arriverà.'],
    ['Message lost', 'Simulated fault: the message never leaves the provider; no receipt will come.']),
  'ricezione:presa-in-carico': step('ricezione', 'accesso', 'ok',
    ['Ricevuta di presa in carico', 'Il gestore del destinatario verifica firma e provenienza della busta e comunica al gestore del mittente di averla presa in carico.'],
    ['Taken-in-charge receipt', "The recipient's provider checks the envelope's signature and origin, and tells the sender's provider it has taken charge of it."]),
  'ricezione:rilevazione-virus': step('ricezione', 'accesso', 'err',
    ['Rilevazione virus', 'Il gestore del destinatario trova un virus nella busta e lo comunica al gestore del mittente.'],
    ['Virus detected', "The recipient's provider finds a virus in the envelope and tells the sender's provider."]),
  'ricezione:silenzio': step('ricezione', 'ricezione', 'warn',
    ['Nessuna risposta', 'Guasto simulato: il gestore del destinatario tace. Il gestore del mittente attende: dopo 12 e 24 ore scattano gli avvisi.'],
    ['No answer', "Simulated fault: the recipient's provider stays silent. The sender's provider waits: warnings come after 12 and 24 hours."]),
  'ricezione:anomalia': step('ricezione', 'destinatario', 'warn',
    ['Busta di anomalia', 'Ciò che arriva senza essere PEC valida (posta ordinaria, firma non valida) viene consegnato in una busta di anomalia.'],
    ['Anomaly envelope', 'What arrives without being valid PEC (ordinary mail, bad signature) is delivered inside an anomaly envelope.']),
  'ricezione:ricevuta-avvenuta-consegna': step('consegna', 'mittente', 'ok',
    ['Ricevuta di avvenuta consegna', 'La ricevuta, firmata dal gestore del destinatario, arriva nella casella del mittente: è la prova legale della consegna.'],
    ['Delivery receipt', "The receipt, signed by the recipient's provider, reaches the sender's mailbox: the legal proof of delivery."]),
  'ricezione:ricevuta-errore-consegna': step('consegna', 'mittente', 'err',
    ['Avviso di mancata consegna', "L'avviso del gestore del destinatario arriva nella casella del mittente."],
    ['Non-delivery notice', "The recipient's provider's notice reaches the sender's mailbox."]),
  'ricezione:ricevuta-rilevazione-virus': step('accesso', 'mittente', 'err',
    ['Mancata consegna per virus', 'Ricevuta la rilevazione del virus, il gestore del mittente avvisa il mittente che il messaggio non è stato consegnato.'],
    ['Non-delivery (virus)', "On the virus report, the sender's provider tells the sender the message was not delivered."]),
  'consegna:avvenuta-consegna': step('consegna', 'destinatario', 'ok',
    ['Consegna', 'Il punto di consegna deposita la busta nella casella del destinatario ed emette la ricevuta di avvenuta consegna.'],
    ['Delivery', "The delivery point stores the envelope in the recipient's mailbox and issues the delivery receipt."]),
  'consegna:errore-consegna': step('consegna', 'destinatario', 'err',
    ['Consegna impossibile', 'La casella del destinatario non esiste, è piena o disabilitata: il punto di consegna emette un avviso di mancata consegna.'],
    ['Cannot deliver', "The recipient's mailbox does not exist, is full or disabled: the delivery point issues a non-delivery notice."]),
  'consegna:silenzio': step('consegna', 'consegna', 'warn',
    ['Nessuna consegna', 'Guasto simulato: il punto di consegna non deposita il messaggio e non emette ricevute.'],
    ['No delivery', 'Simulated fault: the delivery point neither stores the message nor issues a receipt.']),
  'timer:preavviso-12h': step('accesso', 'mittente', 'warn',
    ['Preavviso (12 ore)', 'Dopo 12 ore senza ricevuta di consegna, il gestore del mittente avvisa che la consegna non è ancora avvenuta.'],
    ['Warning (12 hours)', "After 12 hours without a delivery receipt, the sender's provider warns that delivery has not happened yet."]),
  'timer:errore-24h': step('accesso', 'mittente', 'err',
    ['Mancata consegna (24 ore)', 'Dopo 24 ore senza ricevuta, il gestore del mittente dichiara il messaggio non consegnato.'],
    ['Non-delivery (24 hours)', "After 24 hours without a receipt, the sender's provider declares the message not delivered."]),
};

/** the step an event stands for, or null when it is not drawn */
export function describe(event, lang) {
  let key = `${event.actor}:${event.event}`;
  if (event.actor === 'relay' && (event.event === 'inoltrato' || event.event === 'inoltro-fallito')) {
    if (!event.detail || event.detail.purpose !== 'busta') return null;
    key = event.event === 'inoltrato' ? 'relay:busta' : 'relay:busta-fallito';
  }
  if (event.actor === 'ricezione' && event.event.startsWith('ricevuta-')) {
    key = ['ricezione:ricevuta-avvenuta-consegna', 'ricezione:ricevuta-errore-consegna', 'ricezione:ricevuta-rilevazione-virus']
      .find((prefix) => key.startsWith(prefix)) ?? null;
    if (!key) return null;
  }
  const found = STEPS[key];
  if (!found) return null;
  const [label, text] = found[lang === 'en' ? 'en' : 'it'];
  return { key, from: found.from, to: found.to, tone: found.tone, label, text };
}

export const UI_TEXT = {
  it: { waiting: 'In attesa dei primi eventi…', subject: 'Oggetto', sender: 'Mittente', recipients: 'Destinatari', identificativo: 'Identificativo', msgid: 'Message-ID del client', open: 'apri il messaggio', notAccepted: 'non accettato' },
  en: { waiting: 'Waiting for the first events…', subject: 'Subject', sender: 'Sender', recipients: 'Recipients', identificativo: 'Identificativo', msgid: "Client's Message-ID", open: 'open the message', notAccepted: 'not accepted' },
};

export const STATE_TEXT = {
  it: { pending: 'in attesa', taken: 'presa in carico', delivered: 'consegnato', failed: 'non consegnato', preavviso: 'preavviso', expired: 'scaduto (24 h)', external: 'posta ordinaria' },
  en: { pending: 'pending', taken: 'taken in charge', delivered: 'delivered', failed: 'not delivered', preavviso: 'warned', expired: 'expired (24 h)', external: 'ordinary mail' },
};
