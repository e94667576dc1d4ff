// The topology of a testbed run: which gestori exist, the domains each one manages, their
// mailboxes, limits and dialect, and the ordinary (non-PEC) mail domains beside them. It is plain,
// already validated data plus the lookups the engine asks all the time ("who manages this
// domain?", "is this recipient certificato or esterno?").
import type { Dialect } from '../pec/types.js';
import { domainOf } from './formats.js';

export interface Mailbox {
  /** lowercase address, the login name */
  address: string;
  password: string;
  /** maximum bytes of all its messages; null = unlimited */
  quotaBytes: number | null;
  /** a disabled mailbox refuses delivery (errore-consegna altro) and login */
  enabled: boolean;
}

export interface GestoreLimits {
  /** size x number of recipients accepted by the access point (the rules' 30 MB) */
  maxMessageBytes: number;
  /** above this the SMTP layer answers 552 and no notice is sent */
  hardCapBytes: number;
}

export interface GestoreConfig {
  /** `alfa`: used in file names, URLs, logs */
  id: string;
  /** legal name: daticert `gestore-emittente`, CN and O of its signing certificate, index providerName */
  name: string;
  /** managed domains, lower case; the first is `mailDomain` */
  domains: string[];
  /** domain of `posta-certificata@<mailDomain>`, From of everything the gestore emits */
  mailDomain: string;
  dialect: Dialect;
  limits: GestoreLimits;
  /** where other gestori send presa in carico and rilevazione virus: the index's `mailReceipt` */
  receiptMailbox: string;
  mailboxes: Mailbox[];
}

export interface OrdinaryDomain {
  domain: string;
  mailboxes: Mailbox[];
  /** any address of the domain receives mail, stored in a mailbox created on first delivery */
  acceptAny: boolean;
}

/** A mailbox with its owner, shaped like the store's NewAccount (gestore null = ordinary mail). */
export interface TopologyAccount extends Mailbox {
  gestore: string | null;
}

export interface TopologyData {
  gestori: GestoreConfig[];
  ordinary: OrdinaryDomain[];
}

export interface Topology extends Readonly<TopologyData> {
  gestore(id: string): GestoreConfig | undefined;
  /** the gestore managing a PEC domain (case-insensitive); undefined for any other domain */
  gestoreOfDomain(domain: string): GestoreConfig | undefined;
  /** the gestore managing an address's domain */
  gestoreOfAddress(address: string): GestoreConfig | undefined;
  /** true when the domain is managed by a gestore: recipients there are `certificato` */
  isCertifiedDomain(domain: string): boolean;
  ordinaryDomain(domain: string): OrdinaryDomain | undefined;
  /** a configured mailbox (PEC or ordinary) by address, case-insensitive */
  mailbox(address: string): { mailbox: Mailbox; gestore: GestoreConfig | null } | undefined;
  /** every configured mailbox, in file order, to create the store's accounts */
  accounts(): TopologyAccount[];
}

/** Wraps validated data with its lookups; the data is frozen so nobody edits a shared topology. */
export function createTopology(data: TopologyData): Topology {
  const byId = new Map(data.gestori.map((g) => [g.id, g]));
  const byDomain = new Map<string, GestoreConfig>();
  for (const g of data.gestori) for (const d of g.domains) byDomain.set(d, g);
  const ordinaryByDomain = new Map(data.ordinary.map((o) => [o.domain, o]));
  const mailboxes = new Map<string, { mailbox: Mailbox; gestore: GestoreConfig | null }>();
  for (const g of data.gestori) for (const m of g.mailboxes) mailboxes.set(m.address, { mailbox: m, gestore: g });
  for (const o of data.ordinary) for (const m of o.mailboxes) mailboxes.set(m.address, { mailbox: m, gestore: null });

  const norm = (s: string) => s.trim().toLowerCase().replace(/\.$/, '');
  const topology: Topology = {
    gestori: data.gestori,
    ordinary: data.ordinary,
    gestore: (id) => byId.get(id),
    gestoreOfDomain: (domain) => byDomain.get(norm(domain)),
    gestoreOfAddress: (address) => byDomain.get(norm(domainOf(address))),
    isCertifiedDomain: (domain) => byDomain.has(norm(domain)),
    ordinaryDomain: (domain) => ordinaryByDomain.get(norm(domain)),
    mailbox: (address) => mailboxes.get(norm(address)),
    accounts: () => [
      ...data.gestori.flatMap((g) => g.mailboxes.map((m) => ({ ...m, gestore: g.id }))),
      ...data.ordinary.flatMap((o) => o.mailboxes.map((m) => ({ ...m, gestore: null }))),
    ],
  };
  return deepFreeze(topology);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
