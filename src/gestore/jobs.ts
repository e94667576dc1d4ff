// The kinds of durable work a gestore does, and their payloads. Each is enqueued in the same
// transaction as the message that implies it, with a key that makes it happen at most once.
import type { ReceiptFlavour } from '../pec/types.js';
import type { MessageFacts } from '../pec/types.js';
import type { FaultEffect } from './faults.js';

export const JOB = {
  /** punto di accesso: formal checks, accettazione / non accettazione, busta */
  accesso: 'accesso.process',
  /** hand a message to the next hop over SMTP */
  relay: 'relay.send',
  /** punto di ricezione: verify and dispatch what arrived at the MX */
  ricezione: 'ricezione.process',
  /** punto di consegna: store a busta into one mailbox, answer with a receipt */
  consegna: 'consegna.deliver',
  /** sender-side 12 h / 24 h timers */
  timer: 'timer.check',
} as const;

export interface AccessoJob {
  gestore: string;
  blobId: number;
  mailFrom: string;
  rcptTo: string[];
  user: string;
  identificativo: string;
}

export type RelayPurpose = 'busta' | 'receipt' | 'ordinary';

export interface RelayJob {
  /** gestore that emits (null: an ordinary user's mail) */
  gestore: string | null;
  blobId: number;
  from: string;
  to: string[];
  domain: string;
  purpose: RelayPurpose;
  identificativo?: string;
  /** set on a relay a fault postponed: the rest of that fault's effect, applied when it runs */
  postponed?: FaultEffect;
}

export interface RicezioneJob {
  /** receiving gestore, or null for an ordinary domain */
  gestore: string | null;
  blobId: number;
  mailFrom: string;
  rcptTo: string[];
}

export interface ConsegnaJob {
  gestore: string;
  /** the busta as received */
  blobId: number;
  recipient: string;
  header: 'to' | 'cc';
  facts: MessageFacts;
  flavour: ReceiptFlavour;
  /** postacert.eml of the busta, attached to completa and breve receipts */
  originalBlobId?: number;
}

export interface TimerJob {
  gestore: string;
  identificativo: string;
  stage: '12h' | '24h';
  facts: MessageFacts;
  /** timers of one flow run one at a time, in order */
  lane: string;
}

export const HOUR = 3_600_000;
