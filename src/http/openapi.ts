import type { Hono } from 'hono';
import { z, type ZodType } from 'zod';
import { errorSchema } from './error-schema';
import { ERROR_CATALOGUE, type ErrorCode } from './errors';
import { ROUTE_DOC, ROUTE_VALIDATION, type MarkedHandler, type RouteDoc, type RouteValidation } from './route-marks';

export interface Operation {
  method: string;
  path: string;
  doc: RouteDoc;
  validations: RouteValidation[];
  isPublic: boolean;
}

/** The app's operations, read from its routes: each METHOD + path with its describeRoute mark and validators. */
export function collectOperations(app: Hono<any>): Operation[] {
  const grouped = new Map<string, MarkedHandler[]>();
  for (const route of app.routes) {
    if (route.method === 'ALL') continue;
    const key = `${route.method} ${route.path}`;
    grouped.set(key, [...(grouped.get(key) ?? []), route.handler as MarkedHandler]);
  }
  return [...grouped].map(([key, handlers]) => {
    const [method, path] = key.split(' ') as [string, string];
    const doc = handlers.find((h) => h[ROUTE_DOC])?.[ROUTE_DOC];
    if (!doc) throw new Error(`Route ${key} has no describeRoute() documentation`);
    const validations = handlers.flatMap((h) => (h[ROUTE_VALIDATION] ? [h[ROUTE_VALIDATION]] : []));
    return { method, path, doc, validations, isPublic: doc.public === true };
  });
}

const openApiPath = (path: string) => path.replace(/:([A-Za-z_]+)/g, '{$1}');
const operationId = (method: string, path: string) =>
  `${method.toLowerCase()}${path
    .split('/')
    .filter(Boolean)
    .map((part) => (part.startsWith(':') ? `By_${part.slice(1)}` : part))
    .map((part) => part.replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? '').toUpperCase()))
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')}`;

/** The codes every route of a kind may answer with, whatever it documents itself. */
function standardErrors(op: Operation, takesBody: boolean): ErrorCode[] {
  return [
    ...(op.validations.length ? (['validation_failed'] as const) : []),
    ...(takesBody ? (['invalid_json', 'payload_too_large', 'unsupported_media_type'] as const) : []),
    ...(op.isPublic ? [] : (['unauthorized'] as const)),
    ...(op.doc.rateLimit ? (['rate_limited'] as const) : []),
    'internal_error',
    'service_unavailable',
  ];
}

/** One response per status, describing each of its codes with the catalogue's message. */
function errorResponses(codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_CATALOGUE[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return [...byStatus].map(([status, list]) => ({
    status,
    description: list.map((code) => `${code}: ${ERROR_CATALOGUE[code].message}`).join('; '),
  }));
}

function strip(schema: Record<string, unknown>) {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

/** Query and path parameters, one per property of the object schema that validates them. */
function parameters(validation: RouteValidation) {
  const json = strip(z.toJSONSchema(validation.schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>);
  const properties = (json.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((json.required ?? []) as string[]);
  const location = validation.target === 'param' ? 'path' : validation.target;
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    schema,
  }));
}

/**
 * The OpenAPI 3.1 document, generated from the routes themselves: their zod validators (request side) and their
 * describeRoute marks (responses). Request and response schemas become components, shared ones (`.meta({ id })`) by name.
 */
export function buildOpenApiDocument(app: Hono<any>, info: { version: string }) {
  const operations = collectOperations(app);
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of z.globalRegistry._idmap) registry.add(schema as ZodType, { id });
  registry.add(errorSchema, { id: 'Error' });
  const ref = (schema: ZodType, fallbackId: string) => {
    const existing = registry.get(schema)?.id;
    if (!existing) registry.add(schema, { id: fallbackId });
    return { $ref: `#/components/schemas/${existing ?? fallbackId}` };
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const id = operationId(op.method, op.path);
    const body = op.validations.find((v) => v.target === 'json');
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(op.doc.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema
          ? { content: { 'application/json': { schema: ref(response.schema, `${id}${status}Response`) } } }
          : response.mediaType
            ? { content: { [response.mediaType]: { schema: { type: 'string' } } } }
            : {}),
      };
    }
    for (const { status, description } of errorResponses([...(op.doc.errors ?? []), ...standardErrors(op, !!body)])) {
      responses[status] = { description, content: { 'application/json': { schema: ref(errorSchema, 'Error') } } };
    }
    paths[openApiPath(op.path)] ??= {};
    paths[openApiPath(op.path)]![op.method.toLowerCase()] = {
      operationId: id,
      summary: op.doc.summary,
      ...(op.doc.description ? { description: op.doc.description } : {}),
      tags: op.doc.tags,
      security: op.isPublic ? [] : [{ bearerAuth: [] }],
      parameters: [
        ...op.validations.filter((v) => v.target === 'param' || v.target === 'query').flatMap(parameters),
        ...(op.doc.headers ?? []).map((h) => ({
          name: h.name,
          in: 'header',
          required: h.required ?? false,
          description: h.description,
          schema: { type: 'string' },
        })),
      ],
      ...(body
        ? {
            requestBody: {
              required: !body.optional,
              content: { 'application/json': { schema: ref(body.schema, `${id}Request`) } },
            },
          }
        : {}),
      responses,
    };
  }

  const generated = z.toJSONSchema(registry, {
    io: 'input',
    unrepresentable: 'any',
    uri: (schemaId) => `#/components/schemas/${schemaId}`,
  });
  const schemas = Object.fromEntries(
    Object.entries(generated.schemas).map(([name, schema]) => [name, strip(schema as Record<string, unknown>)]),
  );

  return {
    openapi: '3.1.0',
    info: {
      title: 'Ahoum Booking API',
      version: info.version,
      description:
        'Bookings for Ahoum wellness sessions and retreats. Every error has one shape (`Error`); times are ISO 8601 UTC; money is an integer in minor units.',
    },
    servers: [{ url: '/', description: 'This server' }],
    tags: [...new Set(operations.flatMap((op) => op.doc.tags))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The access_token from POST /login' },
      },
    },
  };
}
