// The PEC world of this testbed as data: the gestori, every domain (PEC or ordinary), and the
// providers' index (IGPEC) as JSON and as the LDIF other tools load.
import type { Testbed } from '../../testbed/testbed.js';
import type { GestoreConfig } from '../../topology/topology.js';
import { toLdif } from '../../topology/igpec.js';
import { notFound } from '../errors.js';
import type { Routes } from '../route.js';
import { anyObject, errors } from '../shapes.js';

export function gestoreJson(tb: Testbed, g: GestoreConfig) {
  return {
    id: g.id,
    name: g.name,
    domains: g.domains,
    mailDomain: g.mailDomain,
    receiptMailbox: g.receiptMailbox,
    dialect: g.dialect.name,
    limits: g.limits,
    mailboxes: tb.store.listAccounts().filter((a) => a.gestore === g.id).map((a) => a.address),
  };
}

export function domainsJson(tb: Testbed) {
  return [
    ...tb.topology.gestori.flatMap((g) => g.domains.map((domain) => ({ domain, type: 'pec' as const, gestore: g.id }))),
    ...tb.topology.ordinary.map((o) => ({ domain: o.domain, type: 'ordinaria' as const, gestore: null, acceptAny: o.acceptAny })),
  ];
}

export function topologyRoutes(routes: Routes, tb: Testbed): void {
  routes.add({
    method: 'get', path: '/gestori', tag: 'topology', summary: 'the simulated gestori (providers)',
    responses: { 200: { description: 'gestori', schema: { type: 'array', items: anyObject } } },
  }, () => tb.topology.gestori.map((g) => gestoreJson(tb, g)));

  routes.add({
    method: 'get', path: '/gestori/:id', tag: 'topology', summary: 'one gestore',
    params: { id: { type: 'string', maxLength: 100 } },
    responses: { 200: { description: 'the gestore', schema: anyObject }, ...errors(404) },
  }, ({ params }) => {
    const g = tb.topology.gestore(params.id);
    if (!g) throw notFound(`no gestore "${params.id}"`);
    return gestoreJson(tb, g);
  });

  routes.add({
    method: 'get', path: '/domains', tag: 'topology', summary: 'every domain: PEC (with its gestore) and ordinary mail',
    responses: { 200: { description: 'domains', schema: { type: 'array', items: anyObject } } },
  }, () => domainsJson(tb));

  routes.add({
    method: 'get', path: '/index', tag: 'topology', summary: "the providers' index (IGPEC) entries",
    responses: { 200: { description: 'one entry per gestore', schema: { type: 'array', items: anyObject } } },
  }, () => tb.index.entries);

  routes.add({
    method: 'get', path: '/index.ldif', tag: 'topology', summary: "the providers' index as LDIF (RFC 2849, RFC 6109 schema)",
    responses: { 200: { description: 'LDIF', contentType: 'text/plain' } },
  }, (_input, _req, res) => {
    res.type('text/plain; charset=utf-8').setHeader('Content-Disposition', 'inline; filename="igpec.ldif"');
    res.send(toLdif(tb.index));
  });
}
