// A fault rule as users write it (scenario `faults:`, the HTTP API, `tb.faults.add`): plain JSON
// data saying where it applies, what it matches, what it does and how often. Nothing here runs;
// points.ts says which matchers and actions each point takes, registry.ts applies the rules.

/** Where a rule applies: the points of the PEC flow and the phases of the protocol servers. */
export type FaultAt =
  | 'accesso'        // punto di accesso, after the submission was received (before the formal checks)
  | 'relay'          // a gestore hands a message (busta or receipt) to the next hop
  | 'ricezione'      // punto di ricezione, a verified busta for one recipient
  | 'consegna'       // punto di consegna, storing into one mailbox
  | 'ricevuta'       // any receipt or notice about to be built (provider quirks)
  | 'smtp.connect' | 'smtp.mail' | 'smtp.rcpt' | 'smtp.data'
  | 'imap.login' | 'imap.fetch'
  | 'pop3.login' | 'pop3.retr';

export interface FaultMatch {
  /** id of the gestore acting at the point */
  gestore?: string;
  /** original sender; at `relay` and SMTP points the envelope sender (MAIL FROM); `*` globs, case-insensitive */
  sender?: string;
  /** the recipient concerned (SMTP: RCPT TO); `*` globs, case-insensitive */
  recipient?: string;
  /** regular expression on the original Subject */
  subject?: string;
  /** a header of the original message; `value` is a regular expression (absent: present at all) */
  header?: { name: string; value?: string };
  /** kind of the message at hand: PEC kinds (`posta-certificata`, `avvenuta-consegna`, ...) or `ordinaria` */
  kind?: string[];
  /** SMTP points: which listener */
  service?: 'mx' | 'submission';
  /** SMTP, IMAP, POP3 points: the authenticated user; `*` globs */
  user?: string;
  /** only the n-th event that matches everything else (1 = the first) */
  nth?: number;
  /** chance in [0, 1] of applying to a matching event, drawn from the testbed's seed */
  probability?: number;
}

export interface FaultAction {
  /** flow points: lose the message (no answer ever comes); protocol points: drop the connection */
  drop?: boolean;
  /** flow points: virtual time (`13h`); protocol points: real time (`2s`), the sockets are real */
  delay?: string;
  /** relay: the next hop is unreachable (retried by the relay, with backoff) */
  fail?: string;
  /** relay: change a byte of the signed part on the way (the receiving gestore sees a bad signature) */
  corruptSignature?: boolean;
  /** ricezione: `virus`; consegna: `no-dest` (unknown mailbox) or `altro` (full, disabled) */
  error?: 'no-dest' | 'altro' | 'virus';
  /** consegna, ricevuta: the errore-esteso text */
  erroreEsteso?: string;
  /** ricevuta: text put before errore-esteso */
  erroreEstesoPrefix?: string;
  /** consegna: the delivery receipt is sent twice (two separately signed messages) */
  duplicate?: boolean;
  /** consegna: store into this mailbox instead (what magic `+tag` addresses do) */
  mailbox?: string;
  /** ricevuta: daticert without msgid */
  omitMsgid?: boolean;
  /** ricevuta: another daticert tipo (X-Ricevuta follows) */
  tipo?: 'preavviso-errore-consegna' | 'errore-consegna';
  /** SMTP points: answer this instead of going on */
  reply?: { code: number; message: string };
  /** IMAP / POP3 points: refuse the command with this text */
  refuse?: string;
  /** imap.login: the user's INBOX gets a new UIDVALIDITY first */
  resetUidValidity?: boolean;
}

/** A rule as given (id optional: one is assigned). */
export interface FaultRuleInput {
  id?: string;
  description?: string;
  at: FaultAt;
  match?: FaultMatch;
  do: FaultAction;
  /** how many times it applies; default always */
  times?: number | 'always';
  /** active for this long (virtual time) after it first applied, e.g. `30m`: "relay target down for 30 minutes" */
  for?: string;
}

export interface FaultRule extends FaultRuleInput {
  id: string;
  match: FaultMatch;
  times: number | 'always';
}

/** A rule with its counters, as `list()` returns it. */
export interface FaultRuleInfo extends FaultRule {
  /** events that matched the rule's criteria (before nth, probability, times, window) */
  seen: number;
  /** times it was applied */
  hits: number;
  /** virtual time of the first application, ms since the epoch */
  firstHitAt: number | null;
  /** it will not apply again (times used up, window over, nth passed) */
  exhausted: boolean;
}
