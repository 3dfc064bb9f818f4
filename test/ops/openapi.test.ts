import { describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import { collectOperations } from '../../src/http/openapi';
import { call } from '../support/http';

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/**
 * The routes anyone may call, written out here rather than read from the code: the routes mark themselves public
 * (`describeRoute({ public: true })`), and this list is what those marks must add up to.
 */
const PUBLIC_ROUTES = [
  'GET /health',
  'GET /openapi.json',
  'GET /docs',
  'POST /register',
  'POST /login',
  'POST /token/refresh',
  'POST /password/forgot',
  'POST /password/reset',
  'GET /facilitators',
  'GET /facilitators/:id',
  'GET /events',
  'GET /events/nearby',
  'GET /events/:id',
  'POST /payment-webhook',
  'GET /series/:id',
  'GET /events/:id/alternatives',
  'GET /passes',
  'GET /events/:id/calendar.ics',
  'GET /calendar/:file',
];

/** The catalogue reads that get ETags and Cache-Control, likewise written out independently of the route marks. */
const CACHEABLE_ROUTES = [
  'GET /events',
  'GET /events/nearby',
  'GET /events/:id',
  'GET /facilitators',
  'GET /facilitators/:id',
  'GET /series/:id',
  'GET /events/:id/calendar.ics',
  'GET /calendar/:file',
];

/** METHOD + OpenAPI path of every route handler the app really has. */
function appOperations(): string[] {
  const operations = new Set<string>();
  for (const route of app.routes) {
    if (route.method === 'ALL') continue;
    operations.add(`${route.method} ${route.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`);
  }
  return [...operations].sort();
}

function documentOperations(document: any): string[] {
  return Object.entries(document.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => HTTP_METHODS.includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    )
    .sort();
}

describe('GET /openapi.json', () => {
  it('lists exactly the routes the app has, no more and no fewer', async () => {
    const res = await call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.1.0');
    expect(documentOperations(res.json)).toEqual(appOperations());
  });

  it('has exactly the public routes listed here, and they answer without a token', async () => {
    const marked = collectOperations(app)
      .filter((op) => op.isPublic)
      .map((op) => `${op.method} ${op.path}`);
    expect(marked.sort()).toEqual([...PUBLIC_ROUTES].sort());
    for (const route of PUBLIC_ROUTES.filter((r) => r.startsWith('GET ') && !r.includes(':'))) {
      const res = await call('GET', route.slice(4));
      expect(res.status, route).not.toBe(401);
    }
    const protectedRoute = await call('GET', '/my-bookings');
    expect(protectedRoute.status).toBe(401);
  });

  it('caches exactly the catalogue reads listed here', () => {
    const marked = collectOperations(app)
      .filter((op) => op.doc.cache)
      .map((op) => `${op.method} ${op.path}`);
    expect(marked.sort()).toEqual([...CACHEABLE_ROUTES].sort());
  });

  it('marks public routes without security and every other route with the bearer scheme', async () => {
    const { json } = await call('GET', '/openapi.json');
    for (const [path, item] of Object.entries(json.paths as Record<string, Record<string, any>>)) {
      for (const [method, operation] of Object.entries(item)) {
        const key = `${method.toUpperCase()} ${path.replace(/\{([A-Za-z_]+)\}/g, ':$1')}`;
        const isPublic = PUBLIC_ROUTES.includes(key);
        expect(operation.security, key).toEqual(isPublic ? [] : [{ bearerAuth: [] }]);
        if (!isPublic) expect(operation.responses, key).toHaveProperty('401');
      }
    }
    expect(json.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents request bodies from the zod schemas that validate them', async () => {
    const { json } = await call('GET', '/openapi.json');
    const register = json.paths['/register'].post;
    const schemaRef = register.requestBody.content['application/json'].schema.$ref as string;
    const schema = json.components.schemas[schemaRef.split('/').pop()!];
    expect(schema.required.sort()).toEqual(['email', 'name', 'password']);
    expect(schema.properties.password).toMatchObject({ minLength: 8, maxLength: 128 });
    // A changed validator changes the document: the rule that rejects a 7-character password is the one documented.
    const rejected = await call('POST', '/register', { body: { name: 'A', email: 'a@b.co', password: '1234567' } });
    expect(rejected.status).toBe(400);
  });

  it('gives every error response the one error shape', async () => {
    const { json } = await call('GET', '/openapi.json');
    expect(json.components.schemas.Error.required.sort()).toEqual(['code', 'msg', 'request_id']);
    for (const item of Object.values(json.paths as Record<string, Record<string, any>>)) {
      for (const operation of Object.values(item)) {
        for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
          if (Number(status) >= 400)
            expect(response.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
        }
      }
    }
  });
});

describe('GET /docs', () => {
  it('serves the reference page that loads only this server’s assets', async () => {
    const res = await call('GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
    const sources = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThan(2);
    for (const source of sources) expect(source.startsWith('/docs-assets/'), source).toBe(true);
  });
});
