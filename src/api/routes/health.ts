// Liveness and readiness for process supervisors and CI scripts: live while the process answers,
// ready once every listener is up and until stop() begins.
import type { Routes } from '../route.js';

export interface Readiness {
  ready: boolean;
}

export function healthRoutes(routes: Routes, state: Readiness): void {
  routes.add({
    method: 'get', path: '/livez', tag: 'health', summary: 'the process answers',
    responses: { 200: { description: 'alive', schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } } },
  }, () => ({ status: 'ok' }));

  routes.add({
    method: 'get', path: '/readyz', tag: 'health', summary: 'every listener is up and the testbed is not stopping',
    responses: {
      200: { description: 'ready', schema: { type: 'object', properties: { status: { type: 'string', enum: ['ready'] } } } },
      503: { description: 'starting or stopping', schema: { type: 'object', properties: { status: { type: 'string', enum: ['not-ready'] } } } },
    },
  }, (_input, _req, res) => {
    if (!state.ready) res.status(503);
    return { status: state.ready ? 'ready' : 'not-ready' };
  });
}
