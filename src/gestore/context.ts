// What every part of a gestore (accesso, ricezione, consegna, timers, relay) works with: the
// store, the clock, identifiers, the directory of gestori, the PEC thread and the relay.
// Passed explicitly so that each part stays a set of plain functions over it.
import type { Clock } from '../clock/clock.js';
import type { IdSource } from '../pec/types.js';
import type { RelayClient, RelayTarget } from '../smtp/client.js';
import type { LogEntry, Store } from '../store/types.js';
import type { Directory } from './directory.js';
import type { FaultPoints } from './faults.js';
import type { PecThread } from './pec-thread.js';

export interface EngineContext {
  store: Store;
  clock: Clock;
  ids: IdSource;
  /** with a seed: the seed of an independent id sequence per emitted message (see scoped-ids.ts) */
  seedFor?(scope: string): string;
  directory: Directory;
  /** builds, signs and verifies PEC messages in the name of the gestori (off the event loop) */
  pec: PecThread;
  relay: RelayClient;
  /** next hop for a domain: the MX of a gestore or an ordinary domain; null when none exists */
  route(domain: string): RelayTarget | null;
  faults: FaultPoints;
  /** wakes the job runner after new work was written (it commits before starting any job) */
  wake(): void;
}

export function log(ctx: EngineContext, entry: Omit<LogEntry, 'at'>): void {
  ctx.store.appendLog({ at: ctx.clock.now(), ...entry });
}
