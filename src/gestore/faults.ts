// The seam through which fault rules bend the normal flow. The engine and the protocol servers
// ask at named points of the flow what to do; with no rules the answer is always "proceed".
// Rules themselves (matching, counting, magic recipients, scenarios) live in src/faults/.

export type FaultPoint =
  | 'accesso.accept'      // after SMTP DATA at the access point, before the formal checks
  | 'relay.send'          // before a gestore hands a message to the next hop
  | 'ricezione.receive'   // at the incoming point, after verification (once per recipient of a busta)
  | 'consegna.deliver'    // at the delivery point, before storing into the mailbox
  | 'receipt.emit'        // before a receipt or notice is built (every kind but busta and anomalia)
  | 'smtp.connect'        // a client connects to an SMTP listener (MX or submission)
  | 'smtp.mail'           // MAIL FROM
  | 'smtp.rcpt'           // RCPT TO
  | 'smtp.data'           // end of DATA, before the message is committed
  | 'imap.login'          // IMAP credentials accepted, session not yet authenticated
  | 'imap.fetch'          // before a FETCH answers
  | 'pop3.login'          // POP3 credentials accepted, maildrop not yet locked
  | 'pop3.retr';          // before RETR sends a message

export interface FaultSubject {
  /** the gestore acting at the point (absent at protocol points of ordinary mail) */
  gestore?: string;
  sender?: string;
  recipient?: string;
  subject?: string;
  identificativo?: string;
  /** kind of the message at hand (PEC kinds, `ordinaria` for ordinary mail) */
  kind?: string;
  headers?: (name: string) => string | undefined;
  /** protocol points: which listener (`mx`, `submission`) and the logged-in user */
  service?: string;
  user?: string;
}

/** What a rule can do at a point. Absent fields mean "as normal". */
export interface FaultEffect {
  /** drop silently (no receipt ever comes: the sender's timers run); at protocol points: drop the connection */
  drop?: boolean;
  /** postpone by this many virtual ms */
  delayMs?: number;
  /** protocol points: wait this many real ms before answering (the sockets are real) */
  realDelayMs?: number;
  /** emit the receipt twice */
  duplicate?: boolean;
  /** deliver as if the mailbox were full / unknown / infected */
  deliveryError?: 'no-dest' | 'altro' | 'virus';
  /** delivery point: store into this mailbox instead of the recipient's own (magic `+tag` addresses) */
  mailbox?: string;
  /** corrupt the signature of the message handed on */
  corruptSignature?: boolean;
  /** receipt quirks */
  omitMsgid?: boolean;
  tipoOverride?: 'preavviso-errore-consegna' | 'errore-consegna';
  erroreEsteso?: string;
  erroreEstesoPrefix?: string;
  /** transient SMTP failure of the relay (retried) */
  relayTransientError?: string;
  /** SMTP points: answer with this reply instead of going on */
  reply?: { code: number; message: string };
  /** IMAP / POP3 points: refuse the command with this text */
  refuse?: string;
  /** IMAP login: give the user's INBOX a new UIDVALIDITY first */
  resetUidValidity?: boolean;
  /** name of the rule, for the log */
  rule?: string;
}

export interface FaultPoints {
  at(point: FaultPoint, subject: FaultSubject): FaultEffect;
}

export const noFaults: FaultPoints = { at: () => ({}) };
