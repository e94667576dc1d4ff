// The express application of one testbed: security headers and the access guard, health probes,
// the JSON API under /api/v1 (with its OpenAPI document) and the web UI under /ui.
import express, { Router, type Application } from 'express';
import type { Testbed } from '../testbed/testbed.js';
import { createUi } from '../web/ui.js';
import { guard } from './auth.js';
import { jsonErrors, notFound } from './errors.js';
import { openApiDocument } from './openapi.js';
import { Routes, mount } from './route.js';
import { clockRoutes } from './routes/clock.js';
import { eventRoutes } from './routes/events.js';
import { faultRoutes } from './routes/faults.js';
import { flowRoutes } from './routes/flows.js';
import { healthRoutes, type Readiness } from './routes/health.js';
import { logRoutes } from './routes/log.js';
import { mailboxRoutes } from './routes/mailboxes.js';
import { messageRoutes } from './routes/messages.js';
import { resetRoutes } from './routes/reset.js';
import { sendRoutes } from './routes/send.js';
import { topologyRoutes } from './routes/topology.js';
import { waitRoutes } from './routes/wait.js';

export const API_PREFIX = '/api/v1';

/** attachments travel base64 in JSON: room for the rules' 30 MB plus encoding */
const JSON_LIMIT = '48mb';

export interface AppOptions {
  token: string | null;
  readiness: Readiness;
}

export interface ApiApp {
  app: Application;
  /** every declared API route (health + /api/v1), as the OpenAPI document lists them */
  routes: Routes[];
}

export function createApp(tb: Testbed, options: AppOptions): ApiApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    // JSON and downloads never need to render anything; UI pages set their own policy
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    next();
  });
  app.use(guard(options.token));

  const root = new Routes(Router(), '');
  healthRoutes(root, options.readiness);
  root.refuseOtherMethods();
  mount(app, '', root.router);

  const api = new Routes(Router(), API_PREFIX);
  api.router.use(express.json({ limit: JSON_LIMIT, strict: true }));
  topologyRoutes(api, tb);
  mailboxRoutes(api, tb);
  messageRoutes(api, tb);
  flowRoutes(api, tb);
  waitRoutes(api, tb);
  clockRoutes(api, tb);
  faultRoutes(api, tb);
  sendRoutes(api, tb);
  logRoutes(api, tb);
  resetRoutes(api, tb);
  eventRoutes(api, tb);
  api.add({
    method: 'get', path: '/openapi.json', tag: 'meta', summary: 'this document',
    responses: { 200: { description: 'OpenAPI 3.0', schema: { type: 'object', additionalProperties: true } } },
  }, (_input, req) => openApiDocument([...root.declared, ...api.declared], `${req.protocol}://${req.headers.host ?? 'localhost'}`));
  api.refuseOtherMethods();
  api.router.use((req, _res, next) => next(notFound(`no route ${req.method} ${API_PREFIX}${req.path}`)));
  api.router.use(jsonErrors);
  mount(app, API_PREFIX, api.router);

  const ui = createUi(tb);
  mount(app, '/ui', ui);
  app.get('/', (_req, res) => res.redirect(302, '/ui/'));
  app.use(jsonErrors);
  return { app, routes: [root, api] };
}
