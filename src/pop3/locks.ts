// Exclusive maildrop locks (RFC 1939 §8: one POP3 session per maildrop). Scoped to the store
// object, so the plain and the implicit-TLS listener of one testbed share the same locks while
// two testbeds in one process (parallel CI tests) do not see each other's.

const held = new WeakMap<object, Set<string>>();

/** Returns a release function, or null when the maildrop is already locked. */
export function lockMaildrop(scope: object, address: string): (() => void) | null {
  let set = held.get(scope);
  if (!set) {
    set = new Set();
    held.set(scope, set);
  }
  const key = address.toLowerCase();
  if (set.has(key)) return null;
  set.add(key);
  const owned = set;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    owned.delete(key);
  };
}
