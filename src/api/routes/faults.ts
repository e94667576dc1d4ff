// Fault rules over HTTP: add, list, remove, clear, and the common case "the next message from /
// to X" as one call. Changes are stored: a restart on the same data dir keeps them. Rules are the
// data of src/faults (`{ at, match, do, times }`), validated by the testbed's registry; what it
// refuses comes back as a 400 naming the rule's field.
import { FaultRuleError, POINTS, type FaultAction, type FaultAt } from '../../faults/index.js';
import type { Testbed } from '../../testbed/testbed.js';
import { HttpError, badRequest, notFound } from '../errors.js';
import type { Routes } from '../route.js';
import { anyObject, errors } from '../shapes.js';

/** what the registry refuses as a bad rule (a taken id included) is the client's mistake: name the first bad field */
function refused(error: unknown): HttpError {
  if (error instanceof FaultRuleError) {
    const first = error.issues[0];
    return badRequest(first?.path ? first.path : 'body', error.message);
  }
  // anything else (a RangeError from deep inside, a store failure) is the server's: 500
  throw error;
}

/** flow points, in the order a "next message" rule is placed when `at` is not given */
const NEXT_ATS: FaultAt[] = ['consegna', 'ricezione', 'relay', 'ricevuta', 'accesso'];

/** the first flow point that takes every action of `action` (and its `error` value) */
export function pointFor(action: FaultAction): FaultAt | null {
  const keys = Object.keys(action) as Array<keyof FaultAction>;
  return NEXT_ATS.find((at) => {
    const spec = POINTS[at];
    return keys.every((k) => spec.actions.includes(k)) && (action.error === undefined || (spec.errors ?? []).includes(action.error));
  }) ?? null;
}

const ruleSchema = { type: 'object' as const, additionalProperties: true, description: 'a fault rule: { id?, description?, at, match?, do, times?, for? } (src/faults/types.ts)' };

export function faultRoutes(routes: Routes, tb: Testbed): void {
  routes.add({
    method: 'get', path: '/faults', tag: 'faults', summary: 'the fault rules in force, with their counters (seen, hits, exhausted)',
    responses: { 200: { description: 'rules', schema: { type: 'object', properties: { rules: { type: 'array', items: anyObject } } } } },
  }, () => ({ rules: tb.faults.list() }));

  routes.add({
    method: 'post', path: '/faults', tag: 'faults',
    summary: 'add a fault rule: { at, match, do, times }, e.g. { "at": "consegna", "match": { "recipient": "x@pec.beta.test" }, "do": { "drop": true }, "times": 1 }',
    body: ruleSchema,
    responses: { 201: { description: 'the rule as stored, with its id', schema: anyObject }, ...errors(400, 415) },
  }, ({ body }, _req, res) => {
    let rule;
    try {
      rule = tb.faults.add(body);
    } catch (error) {
      throw refused(error);
    }
    res.status(201);
    return rule;
  });

  routes.add({
    method: 'post', path: '/faults/next', tag: 'faults',
    summary: 'a one-shot rule for the next message from and/or to an address: { from?, to?, do, at? }',
    description: '`from` / `to` match the original sender / the recipient (`*` globs). `at` defaults to the first flow point taking the action: consegna, ricezione, relay, ricevuta, accesso.',
    body: {
      type: 'object',
      required: ['do'],
      properties: {
        from: { type: 'string', minLength: 1, maxLength: 320 },
        to: { type: 'string', minLength: 1, maxLength: 320 },
        at: { type: 'string', enum: NEXT_ATS },
        do: { type: 'object', additionalProperties: true, description: 'the action (FaultAction): drop, delay, error, duplicate, fail, corruptSignature, tipo, omitMsgid, ...' },
        description: { type: 'string', maxLength: 500 },
      },
    },
    responses: { 201: { description: 'the rule as stored', schema: anyObject }, ...errors(400, 415) },
  }, ({ body }, _req, res) => {
    if (body.from === undefined && body.to === undefined) throw badRequest('to', 'give from, to or both: the message the rule is for');
    const at: FaultAt | null = body.at ?? pointFor(body.do as FaultAction);
    if (!at) throw badRequest('do', `no flow point takes all of ${Object.keys(body.do).join(', ') || '(no action)'}; give "at"`);
    const match: Record<string, string> = {};
    if (body.from !== undefined) match.sender = body.from;
    if (body.to !== undefined) match.recipient = body.to;
    const description = body.description ?? `next message${body.from ? ` from ${body.from}` : ''}${body.to ? ` to ${body.to}` : ''}`;
    let rule;
    try {
      rule = tb.faults.add({ at, match, do: body.do, times: 1, description });
    } catch (error) {
      throw refused(error);
    }
    res.status(201);
    return rule;
  });

  routes.add({
    method: 'delete', path: '/faults', tag: 'faults', summary: "remove every fault rule (a restart applies the scenario file's own again)",
    responses: { 204: { description: 'cleared' } },
  }, (_input, _req, res) => {
    tb.faults.clear();
    res.status(204).end();
  });

  routes.add({
    method: 'delete', path: '/faults/:id', tag: 'faults', summary: 'remove one fault rule',
    params: { id: { type: 'string', minLength: 1, maxLength: 200 } },
    responses: { 204: { description: 'removed' }, ...errors(404) },
  }, ({ params }, _req, res) => {
    if (!tb.faults.remove(params.id)) throw notFound(`no fault rule ${params.id}`);
    res.status(204).end();
  });
}
