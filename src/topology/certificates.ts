// What the test PKI must issue for a topology: one signing certificate per gestore (named after
// it, for its mail domain) and TLS names for all its domains. One mapping for every caller
// (start, certs init, index export), so none of them re-issues what another just made.
import type { GestoreCertRequest } from '../pki/issue.js';
import type { Topology } from './topology.js';

export function certRequestsOf(topology: Pick<Topology, 'gestori'>): GestoreCertRequest[] {
  return topology.gestori.map((g) => ({ id: g.id, name: g.name, mailDomain: g.mailDomain, domains: g.domains }));
}
