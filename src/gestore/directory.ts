// What a gestore knows about the PEC world: the topology (its own configuration, the other
// gestori and their domains, the ordinary-mail domains) joined with the providers' index (which
// certificate each provider signs with), as the lookups the engine asks all the time. Its copy of
// the index also remembers the certificates a renewal replaced: a message signed just before it
// is still on its way (each provider keeps a local copy of the index, pec-rules §8).
import type { ProviderIndex } from '../topology/igpec.js';
import type { GestoreConfig, OrdinaryDomain, Topology } from '../topology/topology.js';

export type { GestoreConfig, OrdinaryDomain };
export { domainOf } from '../topology/formats.js';

export interface Directory {
  readonly gestori: readonly GestoreConfig[];
  /** throws for an unknown id: ids come from the engine's own jobs, so that is a bug */
  gestore(id: string): GestoreConfig;
  gestoreOfDomain(domain: string): GestoreConfig | undefined;
  ordinaryDomain(domain: string): OrdinaryDomain | undefined;
  /** the gestore whose signing certificate has this SHA-1 fingerprint (any case, with or without ':') */
  gestoreByFingerprint(fingerprint: string): GestoreConfig | undefined;
}

/** `indexes`: the index in force first, then the ones it replaced */
export function createDirectory(topology: Topology, indexes: () => readonly ProviderIndex[]): Directory {
  return {
    gestori: topology.gestori,
    gestore(id) {
      const g = topology.gestore(id);
      if (!g) throw new Error(`unknown gestore "${id}"`);
      return g;
    },
    gestoreOfDomain: (domain) => topology.gestoreOfDomain(domain),
    ordinaryDomain: (domain) => topology.ordinaryDomain(domain),
    gestoreByFingerprint(fingerprint) {
      for (const index of indexes()) {
        const entry = index.byFingerprint(fingerprint);
        if (entry) return topology.gestore(entry.gestoreId);
      }
      return undefined;
    },
  };
}
