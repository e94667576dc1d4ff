// Messages: list (per mailbox and folder, or across every mailbox) with the filters a PEC test
// needs and paging; one message parsed and verified; its exact bytes; one part; flags; delete.
import type { Request, Response } from 'express';
import type { Testbed } from '../../testbed/testbed.js';
import { findMessages, type MessageFilter } from '../../testbed/messages.js';
import { notFound } from '../errors.js';
import { messageDetail, messageHit, resolvePart, summaryOf } from '../message-view.js';
import type { Input, Routes } from '../route.js';
import { anyObject, email, errors, messageFilterQuery, messagePage, pagingQuery } from '../shapes.js';

/** headers for bytes that came from a message: never rendered, never sniffed, never scripted */
export function inertDownload(res: Response, contentType: string, filename: string, disposition: 'attachment' | 'inline' = 'attachment'): void {
  const safeType = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i.test(contentType) ? contentType : 'application/octet-stream';
  res.setHeader('Content-Type', safeType);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  res.setHeader('Content-Disposition', `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`);
}

function listMessages(tb: Testbed, mailbox: string | undefined, { query }: Input) {
  if (mailbox !== undefined && !tb.store.getAccount(mailbox.trim().toLowerCase())) throw notFound(`no mailbox ${mailbox}`);
  const filter: MessageFilter = { ...query, mailbox, limit: query.limit + 1, offset: query.offset };
  const found = findMessages(tb.store, filter);
  const more = found.length > query.limit;
  return {
    messages: found.slice(0, query.limit).map(summaryOf),
    limit: query.limit,
    offset: query.offset,
    next: more ? query.offset + query.limit : null,
  };
}

export function messageRoutes(routes: Routes, tb: Testbed): void {
  const { store } = tb;
  const idParam = { id: { type: 'integer' as const, minimum: 1, description: 'store-wide message id' } };

  routes.add({
    method: 'get', path: '/mailboxes/:address/messages', tag: 'messages', summary: "a mailbox's messages, oldest first, filtered and paged",
    params: { address: email },
    query: { ...messageFilterQuery, ...pagingQuery },
    responses: { 200: { description: 'one page', schema: messagePage }, ...errors(400, 404) },
  }, (input) => listMessages(tb, input.params.address, input));

  routes.add({
    method: 'get', path: '/messages', tag: 'messages', summary: 'messages of every mailbox (or one: mailbox=), oldest first, filtered and paged',
    query: { mailbox: email, ...messageFilterQuery, ...pagingQuery },
    responses: { 200: { description: 'one page', schema: messagePage }, ...errors(400, 404) },
  }, (input) => listMessages(tb, input.query.mailbox, input));

  routes.add({
    method: 'get', path: '/messages/:id', tag: 'messages',
    summary: 'one message parsed: headers, MIME tree, daticert, signature verdict, the original inside postacert.eml',
    params: idParam,
    responses: { 200: { description: 'the message', schema: anyObject }, ...errors(400, 404) },
  }, ({ params }) => messageDetail(store, messageHit(store, params.id), { caPem: tb.caPem, index: tb.index }));

  routes.add({
    method: 'get', path: '/messages/:id/raw', tag: 'messages', summary: 'the exact stored bytes (message/rfc822)',
    params: idParam,
    responses: { 200: { description: 'the .eml', contentType: 'message/rfc822' }, ...errors(400, 404) },
  }, ({ params }, _req: Request, res: Response) => {
    const hit = messageHit(store, params.id);
    inertDownload(res, 'message/rfc822', `${hit.kind ?? 'messaggio'}-${hit.id}.eml`);
    res.send(store.getRaw(hit.id));
  });

  routes.add({
    method: 'get', path: '/messages/:id/parts/:part', tag: 'messages',
    summary: 'one MIME part, decoded (an attachment, daticert.xml, postacert.eml); IMAP section numbers, 1.3.2 = part 2 of the message in part 1.3',
    params: { ...idParam, part: { type: 'string', pattern: '^[1-9][0-9]*(\\.[1-9][0-9]*)*$', maxLength: 64 } },
    responses: { 200: { description: 'the decoded part, as an attachment', contentType: 'application/octet-stream' }, ...errors(400, 404) },
  }, ({ params }, _req: Request, res: Response) => {
    const hit = messageHit(store, params.id);
    const part = resolvePart(store.getRaw(hit.id), params.part);
    if (!part) throw notFound(`message ${hit.id} has no part ${params.part}`);
    inertDownload(res, part.mediaType, part.filename ?? `parte-${part.path}`);
    res.send(part.content);
  });

  routes.add({
    method: 'patch', path: '/messages/:id', tag: 'messages', summary: 'mark read or unread (the \\Seen flag IMAP and POP3 clients see)',
    params: idParam,
    body: { type: 'object', required: ['seen'], properties: { seen: { type: 'boolean' } } },
    responses: { 200: { description: 'the message summary', schema: anyObject }, ...errors(400, 404, 415) },
  }, ({ params, body }) => {
    const hit = messageHit(store, params.id);
    store.setFlags(hit.folderId, [hit.uid], ['\\Seen'], body.seen ? 'add' : 'remove');
    return summaryOf(messageHit(store, hit.id));
  });

  routes.add({
    method: 'delete', path: '/messages/:id', tag: 'messages', summary: 'delete a message (IMAP clients see an expunge)',
    params: idParam,
    responses: { 204: { description: 'deleted' }, ...errors(400, 404) },
  }, ({ params }, _req: Request, res: Response) => {
    if (!store.deleteMessage(params.id)) throw notFound(`no message with id ${params.id}`);
    res.status(204).end();
  });
}
