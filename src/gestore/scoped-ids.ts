// Reproducible randomness under concurrency. With a seed, every emitted message draws its
// boundaries and Message-ID from its own sequence, named after what the message is (gestore, kind,
// identificativo, recipient), so the bytes do not depend on which job the runner happened to start
// first. Without a seed there is nothing to reproduce and the context's random source is used.
import { seededIds } from '../pec/ids.js';
import type { IdSource } from '../pec/types.js';

export type ScopedIds = (scope: string) => IdSource;

export function scopedIds(seed: string | number): ScopedIds {
  // The same scope twice (a duplicate receipt, a replay) must still give two different messages.
  const uses = new Map<string, number>();
  return (scope) => {
    const n = uses.get(scope) ?? 0;
    uses.set(scope, n + 1);
    return seededIds(`${seed}\u0000${scope}\u0000${n}`);
  };
}
