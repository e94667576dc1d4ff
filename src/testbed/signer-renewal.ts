// Keeps the gestori's signing certificates valid at the virtual time while the testbed runs. The
// test PKI is made valid where the clock starts; a clock run fast (a trainer's day per second) or
// advanced by years would otherwise pass their end, and from then on every message would fail the
// punto di ricezione and any strict verifier. Checked when the clock jumps or changes speed, and
// every second of real time while it runs.
import type { Clock } from '../clock/clock.js';

export interface SignerRenewalOptions {
  clock: Clock;
  /** virtual ms from which the signers in use must be issued again */
  renewAt: () => number;
  /** issues them and puts them to use; renewAt() is later afterwards */
  renew: () => void;
  onError: (error: unknown) => void;
  /** real ms between checks of a running clock; default 1000 */
  intervalMs?: number;
}

/** starts watching; the returned function stops it */
export function watchSignerValidity(options: SignerRenewalOptions): () => void {
  const check = () => {
    if (options.clock.now() < options.renewAt()) return;
    try {
      options.renew();
    } catch (error) {
      options.onError(error);
    }
  };
  const unsubscribe = options.clock.onChange(check);
  const timer = setInterval(check, options.intervalMs ?? 1000);
  timer.unref();
  return () => {
    unsubscribe();
    clearInterval(timer);
  };
}
