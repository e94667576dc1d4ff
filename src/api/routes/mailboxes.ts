// Mailboxes at run time: list them, and let a test provision its own (create, change password,
// quota or enabled state, delete) so that it works in isolation from other tests.
import type { Account, Store } from '../../store/types.js';
import { domainOf } from '../../topology/formats.js';
import type { Testbed } from '../../testbed/testbed.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { Routes } from '../route.js';
import { anyObject, email, errors } from '../shapes.js';

export function accountJson(store: Store, account: Account) {
  const messages = store.findMessages({ address: account.address });
  return {
    address: account.address,
    gestore: account.gestore,
    domain: domainOf(account.address),
    password: account.password,
    quotaBytes: account.quotaBytes,
    usedBytes: store.usedBytes(account.address),
    enabled: account.enabled,
    createdAt: new Date(account.createdAt).toISOString(),
    messages: messages.length,
    unseen: messages.filter((m) => !m.flags.includes('\\Seen')).length,
  };
}

function mustAccount(store: Store, address: string): Account {
  const account = store.getAccount(address.trim().toLowerCase());
  if (!account) throw notFound(`no mailbox ${address}`);
  return account;
}

const mailboxSchema = {
  type: 'object' as const,
  properties: {
    address: email,
    gestore: { type: 'string' as const, nullable: true },
    domain: { type: 'string' as const },
    password: { type: 'string' as const },
    quotaBytes: { type: 'integer' as const, nullable: true },
    usedBytes: { type: 'integer' as const },
    enabled: { type: 'boolean' as const },
    createdAt: { type: 'string' as const, format: 'date-time' },
    messages: { type: 'integer' as const },
    unseen: { type: 'integer' as const },
  },
};

const quota = { type: 'integer' as const, minimum: 0, nullable: true, description: 'bytes; null = unlimited' };

export function mailboxRoutes(routes: Routes, tb: Testbed): void {
  const { store, topology } = tb;
  const addressParam = { address: { ...email, description: 'mailbox address (URL-encoded)' } };

  routes.add({
    method: 'get', path: '/mailboxes', tag: 'mailboxes', summary: 'every mailbox, of every gestore and of the ordinary domains',
    query: {
      gestore: { type: 'string', maxLength: 100, description: "a gestore id, or 'ordinaria' for ordinary mail" },
      domain: { type: 'string', maxLength: 255 },
    },
    responses: { 200: { description: 'mailboxes', schema: { type: 'array', items: mailboxSchema } }, ...errors(400) },
  }, ({ query }) =>
    store
      .listAccounts()
      .filter((a) => query.gestore === undefined || (a.gestore ?? 'ordinaria') === query.gestore)
      .filter((a) => query.domain === undefined || domainOf(a.address) === String(query.domain).toLowerCase())
      .map((a) => accountJson(store, a)));

  routes.add({
    method: 'post', path: '/mailboxes', tag: 'mailboxes', summary: 'create a mailbox in a PEC or ordinary domain of the topology',
    body: {
      type: 'object',
      required: ['address'],
      properties: {
        address: email,
        password: { type: 'string', minLength: 1, maxLength: 200, default: 'pec' },
        quotaBytes: quota,
        enabled: { type: 'boolean', default: true },
      },
    },
    responses: { 201: { description: 'created', schema: mailboxSchema }, ...errors(400, 409, 415) },
  }, ({ body }, _req, res) => {
    const address = String(body.address).trim().toLowerCase();
    const domain = domainOf(address);
    const gestore = topology.gestoreOfDomain(domain);
    if (!gestore && !topology.ordinaryDomain(domain)) {
      throw badRequest('address', `${domain} is not a domain of this testbed (PEC: ${topology.gestori.flatMap((g) => g.domains).join(', ')}; ordinary: ${topology.ordinary.map((o) => o.domain).join(', ')})`);
    }
    if (store.getAccount(address)) throw conflict('address', `mailbox ${address} exists`);
    const account = store.createAccount({ address, password: body.password, gestore: gestore?.id ?? null, quotaBytes: body.quotaBytes ?? null, enabled: body.enabled });
    res.status(201);
    return accountJson(store, account);
  });

  routes.add({
    method: 'get', path: '/mailboxes/:address', tag: 'mailboxes', summary: 'one mailbox with its folders',
    params: addressParam,
    responses: { 200: { description: 'the mailbox', schema: { ...mailboxSchema, properties: { ...mailboxSchema.properties, folders: { type: 'array', items: anyObject } } } }, ...errors(400, 404) },
  }, ({ params }) => {
    const account = mustAccount(store, params.address);
    return {
      ...accountJson(store, account),
      folders: store.listFolders(account.address).map((f) => {
        const inside = store.findMessages({ address: account.address, folder: f.name });
        return { name: f.name, specialUse: f.specialUse, uidValidity: f.uidValidity, uidNext: f.uidNext, messages: inside.length, unseen: inside.filter((m) => !m.flags.includes('\\Seen')).length };
      }),
    };
  });

  routes.add({
    method: 'patch', path: '/mailboxes/:address', tag: 'mailboxes', summary: 'change password, quota or enabled state at run time',
    params: addressParam,
    body: {
      type: 'object',
      properties: {
        password: { type: 'string', minLength: 1, maxLength: 200 },
        quotaBytes: quota,
        enabled: { type: 'boolean', description: 'a disabled mailbox refuses delivery (errore-consegna altro) and login' },
      },
    },
    responses: { 200: { description: 'updated', schema: mailboxSchema }, ...errors(400, 404, 415) },
  }, ({ params, body }) => {
    const account = mustAccount(store, params.address);
    if (Object.keys(body).length === 0) throw badRequest('body', 'nothing to change: give password, quotaBytes or enabled');
    return accountJson(store, store.updateAccount(account.address, body));
  });

  routes.add({
    method: 'delete', path: '/mailboxes/:address', tag: 'mailboxes', summary: 'delete a mailbox and its messages',
    params: addressParam,
    responses: { 204: { description: 'deleted' }, ...errors(400, 404, 409) },
  }, ({ params }, _req, res) => {
    const account = mustAccount(store, params.address);
    if (topology.gestori.some((g) => g.receiptMailbox === account.address)) {
      throw conflict('address', `${account.address} is a gestore's receipt mailbox (mailReceipt of the index): it cannot be deleted`);
    }
    store.deleteAccount(account.address);
    res.status(204).end();
  });
}
