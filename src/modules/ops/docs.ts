import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { buildOpenApiDocument } from '../../http/openapi';
import { describeRoute } from '../../http/route-marks';

export const API_VERSION = '1.0.0';

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Ahoum Booking API reference</title>
  <link rel="icon" href="/docs-assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs-assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs-assets/swagger-ui-bundle.js"></script>
  <script src="/docs-assets/init.js"></script>
</body>
</html>`;

/**
 * GET /openapi.json and GET /docs. The document is built once per isolate from the app's own routes
 * (passed in, so this module does not import the app that mounts it).
 */
export function docsRoutes(getApp: () => Hono<any>, publicRoutes: readonly string[]) {
  let cached: ReturnType<typeof buildOpenApiDocument> | undefined;
  return new Hono<AppEnv>()
    .get(
      '/openapi.json',
      describeRoute({
        summary: 'This OpenAPI 3.1 document',
        tags: ['Operations'],
        responses: {
          200: {
            description: 'The document, generated from the zod schemas that validate requests',
            schema: z.looseObject({ openapi: z.string() }),
          },
        },
      }),
      (c) => {
        cached ??= buildOpenApiDocument(getApp(), publicRoutes, { version: API_VERSION });
        return c.json(cached);
      },
    )
    .get(
      '/docs',
      describeRoute({
        summary: 'Interactive API reference (Swagger UI, served by this Worker; works offline)',
        tags: ['Operations'],
        responses: { 200: { description: 'An HTML page' } },
      }),
      (c) => c.html(DOCS_HTML),
    );
}
