import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { createDb } from './db/client';
import type { AppEnv } from './env';
import { authenticate } from './http/auth';
import { catalogueCache } from './http/cache';
import { D1_BOOKMARK_HEADER, openD1Session } from './http/d1-session';
import { onError, onNotFound } from './http/error-handler';
import { limitBody, requireJsonBody } from './http/json-body';
import { adminNotificationRoutes } from './modules/crm/routes';
import { authRoutes } from './modules/accounts/routes';
import { bookingRoutes } from './modules/bookings/routes';
import { paymentRoutes } from './modules/payments/routes';
import { docsRoutes } from './modules/ops/docs';
import { eventWriteRoutes } from './modules/events/manage-routes';
import { eventReadRoutes } from './modules/events/routes';
import { facilitatorRoutes } from './modules/facilitators/routes';
import { healthRoutes } from './modules/ops/routes';

/** Routes anyone may call; everything else needs an access token (see `authenticate`). */
export const PUBLIC_ROUTES = [
  'GET /health',
  'GET /openapi.json',
  'GET /docs',
  'POST /register',
  'POST /login',
  'POST /token/refresh',
  'GET /facilitators',
  'GET /facilitators/:id',
  'GET /events',
  'GET /events/nearby',
  'GET /events/:id',
  'POST /payment-webhook',
] as const;

/** A caller's request id is echoed only if it is short and plain, so it is safe in logs and headers. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function allowedOrigins(env: Env): string[] {
  return env.CORS_ORIGINS.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

export function createApp() {
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.notFound(onNotFound);

  app.use(async (c, next) => {
    const incoming = c.req.header('X-Request-Id');
    c.set('requestId', incoming && SANE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID());
    const session = openD1Session(c.env.DB, c.req.method, c.req.header(D1_BOOKMARK_HEADER));
    c.set('db', createDb(session));
    await next();
    c.header('X-Request-Id', c.var.requestId);
    const bookmark = session.getBookmark();
    if (bookmark) c.header(D1_BOOKMARK_HEADER, bookmark);
  });
  app.use(secureHeaders());
  const corsHeaders = cors({
    origin: (origin, c) => (allowedOrigins(c.env).includes(origin) ? origin : null),
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'If-None-Match', D1_BOOKMARK_HEADER],
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    exposeHeaders: ['X-Request-Id', 'Retry-After', 'ETag', D1_BOOKMARK_HEADER],
    maxAge: 600,
  });
  // Browsers send Origin on every cross-origin request; without one, CORS headers mean nothing, and hono's cors
  // (a placeholder Response per request) cost ~4% of a catalogue read. Cacheable answers carry Vary: Origin.
  app.use((c, next) => (c.req.header('Origin') === undefined ? next() : corsHeaders(c, next)));
  app.use(limitBody, requireJsonBody);
  app.use(authenticate(PUBLIC_ROUTES));
  app.use(catalogueCache);

  app.route('/', healthRoutes);
  app.route('/', authRoutes);
  app.route('/', facilitatorRoutes);
  app.route('/', eventReadRoutes);
  app.route('/', eventWriteRoutes);
  app.route('/', bookingRoutes);
  app.route('/', paymentRoutes);
  app.route('/', adminNotificationRoutes);
  app.route('/', docsRoutes(() => app, PUBLIC_ROUTES));
  return app;
}

export const app = createApp();
