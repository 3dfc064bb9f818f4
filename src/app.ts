import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { authenticate } from './http/auth';
import { catalogueCache } from './http/cache';
import { onError, onNotFound } from './http/error-handler';
import { createRouter } from './http/factory';
import { limitBody, requireJsonBody } from './http/json-body';
import { rateLimit } from './http/rate-limit';
import { D1_BOOKMARK_HEADER, d1Session, requestId } from './http/request-context';
import { accountRoutes } from './modules/accounts/routes';
import { attendanceRoutes } from './modules/attendance/routes';
import { bookingRoutes } from './modules/bookings/routes';
import { passRoutes } from './modules/passes/routes';
import { voucherRoutes } from './modules/vouchers/routes';
import { calendarRoutes } from './modules/calendar/routes';
import { crmRoutes } from './modules/crm/routes';
import { eventRoutes } from './modules/events/routes';
import { exportRoutes } from './modules/exports/routes';
import { facilitatorRoutes } from './modules/facilitators/routes';
import { geoRoutes } from './modules/geo/routes';
import { opsRoutes } from './modules/ops/routes';
import { paymentRoutes } from './modules/payments/routes';
import { seriesRoutes } from './modules/series/routes';
import { webhookRoutes } from './modules/webhooks/routes';

function allowedOrigins(env: Env): string[] {
  return env.CORS_ORIGINS.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

const corsHeaders = cors({
  origin: (origin, c) => (allowedOrigins(c.env).includes(origin) ? origin : null),
  allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'If-None-Match', D1_BOOKMARK_HEADER],
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  exposeHeaders: ['X-Request-Id', 'Retry-After', 'ETag', D1_BOOKMARK_HEADER],
  maxAge: 600,
});

export function createApp() {
  // Not strict: `/events/` is `/events` for every method (no redirect, so a POST stays a POST); many clients of the
  // predecessor add the slash. Routing sees the path without it, so each route is still one route with one set of marks.
  const app = createRouter({ strict: false });
  app.onError(onError);
  app.notFound(onNotFound);
  app.use(requestId, d1Session, secureHeaders());
  // Browsers send Origin on every cross-origin request; without one, CORS headers mean nothing, and hono's cors
  // (a placeholder Response per request) cost ~4% of a catalogue read. Cacheable answers carry Vary: Origin.
  app.use((c, next) => (c.req.header('Origin') === undefined ? next() : corsHeaders(c, next)));
  app.use(limitBody, requireJsonBody, authenticate, rateLimit, catalogueCache);

  app.route(
    '/',
    opsRoutes(() => app),
  );
  app.route('/', accountRoutes);
  app.route('/', facilitatorRoutes);
  app.route('/', calendarRoutes);
  app.route('/', exportRoutes);
  app.route('/', eventRoutes);
  app.route('/', seriesRoutes);
  app.route('/', bookingRoutes);
  app.route('/', attendanceRoutes);
  app.route('/', paymentRoutes);
  app.route('/', passRoutes);
  app.route('/', voucherRoutes);
  app.route('/', crmRoutes);
  app.route('/', webhookRoutes);
  app.route('/', geoRoutes);
  return app;
}

export const app = createApp();
