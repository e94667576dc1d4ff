// A memo of at most `limit` entries, oldest first out. The PKI code memoises what it reads from
// the same few certificates and OIDs at every signature and verification; its inputs come from
// the network, so no cache may grow with them.
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly limit: number) {}

  /** the value kept for `key`, computed and kept when there is none (a throw keeps nothing) */
  get(key: string, compute: (key: string) => V): V {
    if (this.entries.has(key)) return this.entries.get(key) as V;
    const value = compute(key);
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, value);
    return value;
  }
}
