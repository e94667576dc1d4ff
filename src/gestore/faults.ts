// The seam through which fault rules bend the normal flow. The engine asks at named points of
// the flow what to do; with no rules the answer is always "proceed". Rules themselves (matching,
// counting, scenarios) live in src/faults/.

export type FaultPoint =
  | 'accesso.accept'      // after SMTP DATA at the access point, before the formal checks
  | 'relay.send'          // before a gestore hands a message to the next hop
  | 'ricezione.receive'   // at the incoming point, after verification
  | 'consegna.deliver'    // at the delivery point, before storing into the mailbox
  | 'receipt.emit';       // before a receipt or notice is sent back

export interface FaultSubject {
  gestore: string;
  sender?: string;
  recipient?: string;
  subject?: string;
  identificativo?: string;
  /** kind of the message at hand (busta, receipt kinds) */
  kind?: string;
  headers?: (name: string) => string | undefined;
}

/** What a rule can do at a point. Absent fields mean "as normal". */
export interface FaultEffect {
  /** drop silently (no receipt ever comes: the sender's timers run) */
  drop?: boolean;
  /** postpone by this many virtual ms */
  delayMs?: number;
  /** emit the receipt twice */
  duplicate?: boolean;
  /** deliver as if the mailbox were full / unknown / infected */
  deliveryError?: 'no-dest' | 'altro' | 'virus';
  /** corrupt the signature of the message handed on */
  corruptSignature?: boolean;
  /** receipt quirks */
  omitMsgid?: boolean;
  tipoOverride?: 'preavviso-errore-consegna' | 'errore-consegna';
  erroreEsteso?: string;
  /** transient SMTP failure of the relay (retried) */
  relayTransientError?: string;
  /** name of the rule, for the log */
  rule?: string;
}

export interface FaultPoints {
  at(point: FaultPoint, subject: FaultSubject): FaultEffect;
}

export const noFaults: FaultPoints = { at: () => ({}) };
