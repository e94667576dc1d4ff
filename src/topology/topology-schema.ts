// The topology part of a scenario file (`gestori:` and `ordinary:`) as users write it: field
// shapes and defaults, then the checks across entries (unique ids, domains and addresses; every
// mailbox inside its owner's domains). Both passes always run, so one look lists every mistake.
import type { Dialect } from '../pec/types.js';
import { dialectValidator, type DialectRegistry } from './dialect.js';
import { domainOf, hostname, identifier, mailAddress, size } from './formats.js';
import type { GestoreConfig, GestoreLimits, Mailbox, OrdinaryDomain, TopologyData } from './topology.js';
import {
  boolean, Ctx, describe, either, isPlainObject, listOf, object, optional, readObject, required, string,
  withDefault, type Validator,
} from './validate.js';

export const DEFAULT_PASSWORD = 'pec';
/** the rules' 30 MB (size x recipients) */
export const DEFAULT_MAX_MESSAGE_BYTES = 30 * 1024 * 1024;
/** beyond this the SMTP layer refuses with 552 and no notice */
export const DEFAULT_HARD_CAP_BYTES = 100 * 1024 * 1024;

const password: Validator<string> = (value, ctx) => {
  // YAML reads `password: 1234` as a number, and `0123` as 123: make the author quote it.
  if (typeof value === 'number' || typeof value === 'boolean') {
    return ctx.fail(`expected a string, got ${describe(value)}; quote it in YAML: password: "${String(value)}"`);
  }
  return string()(value, ctx);
};

const mailboxFields = {
  address: required(mailAddress),
  password: withDefault(password, DEFAULT_PASSWORD),
  quota: optional(size),
  enabled: withDefault(boolean, true),
};

/** `utente@pec.alfa.test` or `{ address, password?, quota?, enabled? }` */
export const mailboxValidator: Validator<Mailbox> = either<Mailbox>([
  [(v) => typeof v === 'string', (v, ctx) => {
    const address = mailAddress(v, ctx);
    return address === undefined ? undefined : { address, password: DEFAULT_PASSWORD, quotaBytes: null, enabled: true };
  }],
  [isPlainObject, (v, ctx) => {
    const m = object(mailboxFields)(v, ctx);
    return m && { address: m.address, password: m.password, quotaBytes: m.quota ?? null, enabled: m.enabled };
  }],
], 'a mail address or a mapping { address, password, quota, enabled }');

export const limitsValidator: Validator<GestoreLimits> = (value, ctx) => {
  const limits = object({
    maxMessageBytes: withDefault(size, DEFAULT_MAX_MESSAGE_BYTES),
    hardCapBytes: withDefault(size, DEFAULT_HARD_CAP_BYTES),
  })(value, ctx);
  if (limits && limits.hardCapBytes < limits.maxMessageBytes) {
    return ctx.at('hardCapBytes').fail(
      `expected at least maxMessageBytes (${limits.maxMessageBytes}): the SMTP cap sits above the notice limit, got ${limits.hardCapBytes}`,
    );
  }
  return limits;
};

export function gestoreValidator(dialects: DialectRegistry): Validator<GestoreConfig> {
  const shape = {
    id: required(identifier),
    name: required(string({ maxLength: 128 })),
    domains: required(listOf(hostname, { minItems: 1 })),
    dialect: withDefault<Dialect | undefined>(dialectValidator(dialects), () => (dialects.standard ? { ...dialects.standard } : undefined)),
    limits: withDefault(limitsValidator, { maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, hardCapBytes: DEFAULT_HARD_CAP_BYTES }),
    receiptMailbox: optional(mailAddress),
    mailboxes: withDefault(listOf(mailboxValidator), []),
  };
  return (value, ctx) => {
    const g = object(shape)(value, ctx);
    if (!g) return undefined;
    if (!g.dialect) return ctx.at('dialect').fail('no "standard" dialect is registered: name one explicitly');
    const mailDomain = g.domains[0];
    return {
      id: g.id,
      name: g.name,
      domains: g.domains,
      mailDomain,
      dialect: g.dialect,
      limits: g.limits,
      receiptMailbox: g.receiptMailbox ?? `posta-certificata@${mailDomain}`,
      mailboxes: g.mailboxes,
    };
  };
}

export const ordinaryValidator: Validator<OrdinaryDomain> = object({
  domain: required(hostname),
  mailboxes: withDefault(listOf(mailboxValidator), []),
  acceptAny: withDefault(boolean, false),
});

export const TOPOLOGY_KEYS = ['gestori', 'ordinary'] as const;

/**
 * Validates the topology keys of a scenario's top-level mapping. Returns the data only when no
 * issue was found in them; the cross-entry checks run even when some fields are wrong.
 */
export function readTopology(root: Record<string, unknown>, ctx: Ctx, dialects: DialectRegistry): TopologyData | undefined {
  const before = ctx.issueCount;
  const read = readObject(
    { gestori: root.gestori, ordinary: root.ordinary },
    ctx,
    {
      gestori: required(listOf(gestoreValidator(dialects), { minItems: 1 })),
      ordinary: withDefault(listOf(ordinaryValidator), []),
    },
  );
  checkConsistency(root.gestori, root.ordinary, ctx);
  if (!read || !read.complete || ctx.issueCount !== before) return undefined;
  return { gestori: read.fields.gestori!, ordinary: read.fields.ordinary! };
}

// ---- checks across entries, on whatever parts of the raw document are well-formed ----

/** Runs a validator without reporting: for cross checks on values already reported if bad. */
function peek<T>(validator: Validator<T>, value: unknown): T | undefined {
  return validator(value, new Ctx());
}

interface Owner {
  /** how messages name it: `gestore "alfa"` or `ordinary domain posta.ordinaria.test` */
  label: string;
  domains: string[];
  /** reserved addresses that must not be user mailboxes */
  reserved: Map<string, string>;
  mailboxes: unknown;
  ctx: Ctx;
}

function checkConsistency(rawGestori: unknown, rawOrdinary: unknown, ctx: Ctx): void {
  const owners: Owner[] = [];
  const ids = new Map<string, string>();
  const domains = new Map<string, string>();

  const claimDomain = (raw: unknown, at: Ctx, label: string): string | undefined => {
    const domain = peek(hostname, raw);
    if (domain === undefined) return undefined;
    const previous = domains.get(domain);
    if (previous !== undefined) {
      at.fail(`domain "${domain}" is declared twice: already at ${previous}; each domain belongs to one gestore or ordinary entry`);
      return undefined;
    }
    domains.set(domain, `${at.path} (${label})`);
    return domain;
  };

  listItems(rawGestori, ctx.at('gestori'), (raw, at) => {
    if (!isPlainObject(raw)) return;
    const id = peek(identifier, raw.id);
    if (id !== undefined) {
      const previous = ids.get(id);
      if (previous !== undefined) at.at('id').fail(`gestore id "${id}" is used twice: already at ${previous}`);
      else ids.set(id, at.at('id').path);
    }
    const label = id !== undefined ? `gestore "${id}"` : `the gestore at ${at.path}`;
    const owned: string[] = [];
    listItems(raw.domains, at.at('domains'), (d, dAt) => {
      const domain = claimDomain(d, dAt, label);
      if (domain !== undefined) owned.push(domain);
    });
    const mailDomain = peek(hostname, Array.isArray(raw.domains) ? raw.domains[0] : undefined);
    const reserved = new Map<string, string>();
    if (mailDomain !== undefined) reserved.set(`posta-certificata@${mailDomain}`, 'the address the gestore sends its receipts and notices from');
    const receipt = peek(mailAddress, raw.receiptMailbox);
    if (receipt !== undefined) {
      reserved.set(receipt, "the gestore's receiptMailbox");
      if (owned.length > 0 && !owned.includes(domainOf(receipt))) {
        at.at('receiptMailbox').fail(`"${receipt}" is not in a domain of ${label} (${owned.join(', ')}): other gestori send presa in carico there`);
      }
    }
    owners.push({ label, domains: owned, reserved, mailboxes: raw.mailboxes, ctx: at.at('mailboxes') });
  });

  listItems(rawOrdinary, ctx.at('ordinary'), (raw, at) => {
    if (!isPlainObject(raw)) return;
    const label = `ordinary domain ${describe(raw.domain)}`;
    const domain = claimDomain(raw.domain, at.at('domain'), label);
    owners.push({ label, domains: domain === undefined ? [] : [domain], reserved: new Map(), mailboxes: raw.mailboxes, ctx: at.at('mailboxes') });
  });

  const addresses = new Map<string, string>();
  for (const owner of owners) {
    listItems(owner.mailboxes, owner.ctx, (raw, at) => {
      const addressAt = isPlainObject(raw) ? at.at('address') : at;
      const address = peek(mailAddress, isPlainObject(raw) ? raw.address : raw);
      if (address === undefined) return;
      const previous = addresses.get(address);
      if (previous !== undefined) {
        addressAt.fail(`mailbox "${address}" is declared twice: already at ${previous}`);
        return;
      }
      addresses.set(address, addressAt.path);
      const reservedFor = owner.reserved.get(address);
      if (reservedFor !== undefined) addressAt.fail(`"${address}" is ${reservedFor}, not a user mailbox`);
      if (owner.domains.length > 0 && !owner.domains.includes(domainOf(address))) {
        addressAt.fail(`"${address}" is not in a domain of ${owner.label} (${owner.domains.join(', ')})`);
      }
    });
  }
}

function listItems(value: unknown, ctx: Ctx, each: (item: unknown, at: Ctx) => void): void {
  if (Array.isArray(value)) value.forEach((item, index) => each(item, ctx.at(index)));
}
