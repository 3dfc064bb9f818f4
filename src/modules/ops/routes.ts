import { sql } from 'drizzle-orm';
import type { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../http/errors';
import { createRouter } from '../../http/factory';
import { buildOpenApiDocument } from '../../http/openapi';
import { describeRoute } from '../../http/route-marks';
import { DOCS_HTML } from './docs-page';

export const API_VERSION = '1.0.0';

/**
 * GET /health, GET /openapi.json and GET /docs. The document is built once per isolate from the app's own routes
 * (passed in, so this module does not import the app that mounts it).
 */
export function opsRoutes(getApp: () => Hono<any>) {
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  return createRouter()
    .get(
      '/health',
      describeRoute({
        summary: 'Liveness, including a D1 round trip',
        tags: ['Operations'],
        public: true,
        responses: { 200: { description: 'Healthy', schema: z.object({ status: z.literal('ok') }) } },
        errors: ['service_unavailable'],
      }),
      async (c) => {
        try {
          await c.get('db').run(sql`SELECT 1`);
        } catch {
          throw new ApiError('service_unavailable', 'The database is not reachable');
        }
        return c.json({ status: 'ok' as const });
      },
    )
    .get(
      '/openapi.json',
      describeRoute({
        summary: 'This OpenAPI 3.1 document',
        tags: ['Operations'],
        public: true,
        responses: {
          200: {
            description: 'The document, generated from the zod schemas that validate requests',
            schema: z.looseObject({ openapi: z.string() }),
          },
        },
      }),
      (c) => {
        document ??= buildOpenApiDocument(getApp(), { version: API_VERSION });
        return c.json(document);
      },
    )
    .get(
      '/docs',
      describeRoute({
        summary: 'Interactive API reference (Swagger UI, served by this Worker; works offline)',
        tags: ['Operations'],
        public: true,
        responses: { 200: { description: 'An HTML page' } },
      }),
      (c) => c.html(DOCS_HTML),
    );
}
