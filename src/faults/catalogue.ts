// The fault catalogue as data: every failure the testbed produces on demand, how to trigger it,
// what the sender and the recipient see, and the shipped scenario that shows it (and is its test).
// The README table and the web UI read this list; a test checks every scenario named exists.

export interface CatalogueEntry {
  group: 'non accettazione' | 'consegna' | 'silenzio' | 'quirk' | 'trasporto' | 'casella';
  fault: string;
  /** magic recipient, rule, or "natural" (arises from the message itself) */
  trigger: string;
  sender: string;
  recipient: string;
  /** file name under scenarios/ */
  scenario: string;
}

export const CATALOGUE: readonly CatalogueEntry[] = [
  { group: 'non accettazione', fault: 'From missing', trigger: 'natural: a message without From', sender: 'avviso di non accettazione, errore-esteso `From: missing`', recipient: 'nothing', scenario: 'nacc-from-mancante.yaml' },
  { group: 'non accettazione', fault: 'From with more than one address', trigger: 'natural', sender: 'avviso di non accettazione', recipient: 'nothing', scenario: 'nacc-from-multiplo.yaml' },
  { group: 'non accettazione', fault: 'no valid To', trigger: 'natural: no To field', sender: 'avviso di non accettazione', recipient: 'nothing', scenario: 'nacc-to-mancante.yaml' },
  { group: 'non accettazione', fault: 'a recipient in neither To nor Cc (Bcc)', trigger: 'natural: Bcc in the client', sender: 'avviso di non accettazione naming the address', recipient: 'nothing (not even the Bcc recipient)', scenario: 'nacc-bcc.yaml' },
  { group: 'non accettazione', fault: 'a Bcc field in the message', trigger: 'natural', sender: 'avviso di non accettazione', recipient: 'nothing', scenario: 'nacc-bcc-intestazione.yaml' },
  { group: 'non accettazione', fault: 'size x recipients over the limit', trigger: 'natural: `limits.maxMessageBytes` of the gestore (30 MB default)', sender: 'avviso di non accettazione', recipient: 'nothing', scenario: 'nacc-dimensione.yaml' },
  { group: 'non accettazione', fault: 'virus at the access point', trigger: 'natural: EICAR anywhere in the message', sender: 'avviso di non accettazione per virus (`X-VerificaSicurezza: errore`)', recipient: 'nothing', scenario: 'nacc-virus.yaml' },
  { group: 'non accettazione', fault: 'sender not owned by the user', trigger: 'natural: MAIL FROM or From of another mailbox', sender: 'SMTP `553 5.7.1`, no receipt', recipient: 'nothing', scenario: 'smtp-mittente-non-autorizzato.yaml' },
  { group: 'consegna', fault: 'unknown mailbox', trigger: 'natural: any address without a mailbox in a PEC domain', sender: 'avviso di mancata consegna `no-dest` (from the recipient gestore)', recipient: 'nothing', scenario: 'consegna-no-dest.yaml' },
  { group: 'consegna', fault: 'unknown domain', trigger: 'natural: a domain no gestore manages', sender: 'avviso di mancata consegna `no-dominio` (from its own gestore)', recipient: 'nothing', scenario: 'consegna-no-dominio.yaml' },
  { group: 'consegna', fault: 'mailbox full', trigger: '`+piena`, or a mailbox `quota`, or `consegna` `error: altro`', sender: 'avviso di mancata consegna `altro`, errore-esteso 5.2.2', recipient: 'nothing', scenario: 'consegna-casella-piena.yaml' },
  { group: 'consegna', fault: "virus found by the recipient's gestore", trigger: '`+virus`, or `ricezione` `error: virus`', sender: 'avviso di mancata consegna per virus (Alfa got rilevazione virus from Beta)', recipient: 'nothing', scenario: 'consegna-virus.yaml' },
  { group: 'silenzio', fault: "the recipient's gestore never answers", trigger: '`+silenzio`, or `ricezione` `drop`', sender: 'preavviso at 12 h, avviso di mancata consegna per superamento tempi massimi at 24 h', recipient: 'nothing', scenario: 'silenzio.yaml' },
  { group: 'silenzio', fault: 'a delivery receipt N hours late', trigger: '`+ritardo-<N>h`, or `consegna` `delay`', sender: 'avvenuta consegna at +N h (after the 12 h preavviso when N > 12)', recipient: 'the busta at once', scenario: 'ricevuta-in-ritardo.yaml' },
  { group: 'quirk', fault: 'duplicate delivery receipt', trigger: '`+doppia`, or `consegna` `duplicate`', sender: 'two ricevute di avvenuta consegna, separately signed', recipient: 'the busta once', scenario: 'ricevuta-doppia.yaml' },
  { group: 'quirk', fault: 'definitive failure as preavviso, errore-esteso 5.4.1 (Aruba, Namirial)', trigger: '`+541`, or `ricevuta` `tipo: preavviso-errore-consegna`', sender: '`X-Ricevuta: preavviso-errore-consegna`, errore-esteso `5.4.1 - ...`, nothing after it', recipient: 'nothing', scenario: 'preavviso-541.yaml' },
  { group: 'quirk', fault: '24 h notice typed errore-consegna', trigger: '`ricevuta` rule `kind: errore-24h`, `tipo: errore-consegna`; or dialect `notice24hTipo`', sender: 'the 24 h notice with `X-Ricevuta: errore-consegna`', recipient: 'nothing', scenario: 'avviso-24h-errore-consegna.yaml' },
  { group: 'quirk', fault: 'receipt without msgid', trigger: '`ricevuta` `omitMsgid`', sender: 'daticert without `<msgid>`', recipient: 'the busta', scenario: 'ricevuta-senza-msgid.yaml' },
  { group: 'quirk', fault: 'busta whose signature does not verify', trigger: '`relay` `corruptSignature`', sender: '12 h and 24 h notices (no receipt comes back)', recipient: 'busta di anomalia', scenario: 'busta-firma-non-valida.yaml' },
  { group: 'quirk', fault: 'legacy dialect per gestore', trigger: 'topology: `dialect: legacy` (or single fields)', sender: 'that gestore\'s receipts as 2018 Aruba / Sogei wrote them (x-pkcs7, SHA-1, ISO-8859-1)', recipient: 'its bustas the same way', scenario: 'dialetto-legacy.yaml' },
  { group: 'trasporto', fault: 'SMTP 4xx / 5xx at MAIL, RCPT, DATA of the submission', trigger: '`smtp.mail` / `smtp.rcpt` / `smtp.data`, `service: submission`, `reply`', sender: 'the SMTP error; nothing certified', recipient: 'nothing', scenario: 'smtp-invio-4xx-5xx.yaml' },
  { group: 'trasporto', fault: 'SMTP 4xx / 5xx at MAIL, RCPT, DATA of the relay', trigger: 'the same with `service: mx`', sender: '4xx: retried, delivered later; 5xx: avviso di mancata consegna `altro` from its own gestore', recipient: 'the busta (4xx) or nothing (5xx)', scenario: 'smtp-relay-4xx-5xx.yaml' },
  { group: 'trasporto', fault: 'dropped connection', trigger: '`smtp.*` `drop`', sender: 'submission: a connection error; relay: nothing (retried, delivered once)', recipient: 'the busta once', scenario: 'connessione-interrotta.yaml' },
  { group: 'trasporto', fault: 'slow link', trigger: '`smtp.*` `delay` (real time)', sender: 'the usual receipts, later in real time', recipient: 'the busta', scenario: 'collegamento-lento.yaml' },
  { group: 'trasporto', fault: 'relay target down for N minutes', trigger: '`relay` `fail`, `for: 30m`', sender: 'receipts once the target is back; down for good: retries, then 12 h / 24 h notices', recipient: 'the busta late, or nothing', scenario: 'relay-irraggiungibile.yaml' },
  { group: 'trasporto', fault: 'relay target down for good', trigger: '`relay` `fail`, `for: 2d`', sender: 'preavviso at 12 h, notice at 24 h', recipient: 'nothing', scenario: 'relay-irraggiungibile-24h.yaml' },
  { group: 'casella', fault: 'IMAP: login refused, connection dropped mid-FETCH, UIDVALIDITY change', trigger: '`imap.login` `refuse` / `resetUidValidity`, `imap.fetch` `drop`', sender: '-', recipient: 'NO at login; the FETCH answer announces the literal `{N}`, sends half of it, then the connection closes (no `\\Seen` set); a new UIDVALIDITY', scenario: 'imap-accesso.yaml' },
  { group: 'casella', fault: 'POP3: login refused, connection dropped at RETR', trigger: '`pop3.login` `refuse`, `pop3.retr` `drop`', sender: '-', recipient: '-ERR at login; the connection closes at RETR', scenario: 'pop3-accesso.yaml' },
];
