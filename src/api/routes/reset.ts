// Starting over between tests without restarting: empty mailboxes, flows, jobs and log, and keep
// (or re-seed) the topology's mailboxes.
import type { Testbed } from '../../testbed/testbed.js';
import type { Routes } from '../route.js';
import { errors } from '../shapes.js';

export function resetRoutes(routes: Routes, tb: Testbed): void {
  routes.add({
    method: 'post', path: '/reset', tag: 'reset',
    summary: 'empty every mailbox, the flows, pending jobs and the log; keep the topology (or re-seed its mailboxes) and the fault rules',
    body: {
      type: 'object',
      properties: {
        reseed: { type: 'boolean', default: false, description: "also drop mailboxes created at run time and restore the scenario's passwords and quotas" },
      },
    },
    bodyOptional: true,
    responses: { 200: { description: 'done', schema: { type: 'object', properties: { reset: { type: 'boolean' }, reseed: { type: 'boolean' } } } }, ...errors(400, 415) },
  }, async ({ body }) => {
    await tb.reset({ reseed: body.reseed });
    return { reset: true, reseed: body.reseed };
  });
}
