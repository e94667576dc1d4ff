// Reproducible randomness under concurrency. With a seed, every emitted message draws its
// boundaries and Message-ID from its own sequence, named after what the message is (gestore, kind,
// identificativo, recipient), so the bytes do not depend on which job the runner happened to start
// first. Without a seed there is nothing to reproduce and the builder's random source is used.
// What leaves here is the seed of that sequence, a string: the builder may run on another thread.

export type ScopedSeeds = (scope: string) => string;

export function scopedSeeds(seed: string | number): ScopedSeeds {
  // The same scope twice (a duplicate receipt, a replay) must still give two different messages.
  const uses = new Map<string, number>();
  return (scope) => {
    const n = uses.get(scope) ?? 0;
    uses.set(scope, n + 1);
    return `${seed}\u0000${scope}\u0000${n}`;
  };
}
