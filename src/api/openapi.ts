// The OpenAPI 3.0 document of the HTTP API, generated from the route declarations themselves
// (route.ts): paths, parameters, request bodies and responses cannot drift from what is served.
import type { DeclaredRoute } from './route.js';
import type { Schema } from './schema.js';

export const API_VERSION = '1.0.0';

/** `/messages/:id/parts/:part` -> `/messages/{id}/parts/{part}` */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function clean(schema: Schema): Record<string, unknown> {
  // `default` values of body schemas are applied by the validator; they document as they are
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

export function openApiDocument(routes: DeclaredRoute[], serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters = [
      ...Object.entries(route.params ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, description: schema.description, schema: clean(schema) })),
      ...Object.entries(route.query ?? {}).map(([name, schema]) => ({ name, in: 'query', required: Boolean(route.requiredQuery?.includes(name)), description: schema.description, schema: clean(schema) })),
    ];
    const operation: Record<string, unknown> = {
      operationId: `${route.method}${openApiPath(route.fullPath).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      tags: [route.tag],
      summary: route.summary,
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, response]) => [
          status,
          {
            description: response.description,
            ...(response.schema || response.contentType
              ? { content: { [response.contentType ?? 'application/json']: response.schema ? { schema: clean(response.schema) } : {} } }
              : {}),
          },
        ]),
      ),
    };
    if (route.description) operation.description = route.description;
    if (parameters.length > 0) operation.parameters = parameters;
    if (route.body) operation.requestBody = { required: !route.bodyOptional, content: { 'application/json': { schema: clean(route.body) } } };
    (paths[openApiPath(route.fullPath)] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'pec-testbed HTTP API',
      version: API_VERSION,
      description:
        'Simulated PEC (Posta Elettronica Certificata) providers for tests: topology, mailboxes, messages and receipts, flows, waiting, the virtual clock, faults, sending, the provider log. '
        + 'On loopback without a token no authentication is needed; otherwise send Authorization: Bearer <token>. '
        + 'Every error is the JSON error body: 400 names the bad `field`; a known path asked with a method it does not serve is 405 with an `Allow` header (and `allow` in the body); a fault of the server is 500.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{}, { bearer: [] }],
    paths,
  };
}
