// Declaring an API route: method, path, what it accepts (path, query and JSON body schemas) and
// answers, plus the handler. The declaration registers the express route, validates every input
// before the handler runs, and is what the OpenAPI document is generated from.
import type { Application, Request, Response, Router } from 'express';
import { HttpError, badRequest, methodNotAllowed } from './errors.js';
import { coerceQueryValue, validate, type Schema } from './schema.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  description: string;
  /** media type; default application/json when `schema` is given */
  contentType?: string;
  schema?: Schema;
}

export interface RouteSpec {
  method: Method;
  /** express path relative to the router's mount point, e.g. `/messages/:id` */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  params?: Record<string, Schema>;
  query?: Record<string, Schema>;
  /** query parameters that must be given */
  requiredQuery?: readonly string[];
  /** JSON request body */
  body?: Schema;
  /** the body may be omitted (then `{}` is validated) */
  bodyOptional?: boolean;
  responses: Record<string, ResponseSpec>;
}

export interface Input {
  params: Record<string, any>;
  query: Record<string, any>;
  body: any;
}

export type Handler = (input: Input, req: Request, res: Response) => unknown;

export interface DeclaredRoute extends RouteSpec {
  /** full express path, prefix included */
  fullPath: string;
}

function readQuery(spec: RouteSpec, req: Request): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const raw = req.query as Record<string, unknown>;
  for (const [name, value] of Object.entries(raw)) {
    const schema = spec.query?.[name];
    if (!schema) {
      const known = Object.keys(spec.query ?? {});
      throw badRequest(name, `unknown query parameter ${name}${known.length ? ` (known: ${known.join(', ')})` : ''}`);
    }
    if (typeof value !== 'string') throw badRequest(name, `query parameter ${name} must be given once`);
    out[name] = validate(schema, coerceQueryValue(schema, value), name);
  }
  for (const [name, schema] of Object.entries(spec.query ?? {})) {
    if (out[name] === undefined && spec.requiredQuery?.includes(name)) throw badRequest(name, `query parameter ${name} is required`);
    if (out[name] === undefined && schema.default !== undefined) out[name] = schema.default;
  }
  return out;
}

function readParams(spec: RouteSpec, req: Request): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(req.params as Record<string, string>)) {
    const schema = spec.params?.[name] ?? { type: 'string' };
    out[name] = validate(schema, coerceQueryValue(schema, value), name);
  }
  return out;
}

function readBody(spec: RouteSpec, req: Request): unknown {
  if (!spec.body) return undefined;
  const hasBody = req.body !== undefined;
  if (!hasBody) {
    const length = Number(req.headers['content-length'] ?? 0);
    const sent = length > 0 || req.headers['transfer-encoding'] !== undefined;
    if (sent && !req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'the request body must be JSON (Content-Type: application/json)', 'body');
    if (!spec.bodyOptional) throw badRequest('body', 'a JSON request body is required (Content-Type: application/json)');
    return validate(spec.body, {}, 'body');
  }
  return validate(spec.body, req.body, 'body');
}

/** A set of declared routes on one express router mounted at `prefix`. */
export class Routes {
  readonly declared: DeclaredRoute[] = [];
  /** declared path -> its methods, upper case */
  private readonly methodsByPath = new Map<string, Set<string>>();

  constructor(
    readonly router: Router,
    readonly prefix: string,
  ) {}

  add(spec: RouteSpec, handler: Handler): void {
    this.declared.push({ ...spec, fullPath: `${this.prefix}${spec.path}` });
    const methods = this.methodsByPath.get(spec.path) ?? new Set<string>();
    this.methodsByPath.set(spec.path, methods.add(spec.method.toUpperCase()));
    this.router[spec.method](spec.path, async (req: Request, res: Response) => {
      const input: Input = { params: readParams(spec, req), query: readQuery(spec, req), body: readBody(spec, req) };
      const out = await handler(input, req, res);
      if (out !== undefined && !res.headersSent) res.json(out);
    });
  }

  /**
   * After the last add(): a declared path asked with a method none of its routes serves answers
   * 405 with `Allow`, not 404. Express's own matching says which declared paths a request is
   * for, so GET /faults/next collects the POST of /faults/next and the DELETE of /faults/:id.
   * OPTIONS goes on as before (express's automatic answer where it gives one).
   */
  refuseOtherMethods(): void {
    const allowed = new WeakMap<Request, Set<string>>();
    for (const [path, methods] of this.methodsByPath) {
      this.router.all(path, (req, _res, next) => {
        if (req.method !== 'OPTIONS') {
          const allow = allowed.get(req) ?? new Set<string>();
          for (const method of methods) allow.add(method);
          // express answers HEAD wherever it answers GET
          if (methods.has('GET')) allow.add('HEAD');
          allowed.set(req, allow);
        }
        next();
      });
    }
    this.router.use((req, res, next) => {
      const allow = allowed.get(req);
      if (!allow) return next();
      const list = [...allow].sort();
      res.setHeader('Allow', list.join(', '));
      next(methodNotAllowed(req.method, `${req.baseUrl}${req.path}`, list));
    });
  }
}

// ---- enumerating what express really serves (for the OpenAPI consistency test) ----

const mountPoints = new WeakMap<object, string>();

/** app.use(prefix, router), remembering the prefix so that routes can be enumerated later */
export function mount(app: Application | Router, prefix: string, router: Router): void {
  mountPoints.set(router, prefix);
  (app as Router).use(prefix, router);
}

export interface ServedRoute {
  method: string;
  path: string;
}

interface LayerLike {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

/** every (method, path) the app routes, prefixes of mounted routers included */
export function servedRoutes(app: Application): ServedRoute[] {
  const out: ServedRoute[] = [];
  const visit = (stack: LayerLike[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push({ method, path: `${prefix}${layer.route.path}` });
        }
      } else if (layer.handle?.stack) {
        const at = mountPoints.get(layer.handle);
        if (at === undefined) throw new Error('a router was mounted without mount(): its routes cannot be enumerated');
        visit(layer.handle.stack, `${prefix}${at}`);
      }
    }
  };
  visit((app as unknown as { router: { stack: LayerLike[] } }).router.stack, '');
  return out;
}
