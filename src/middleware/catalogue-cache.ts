import type { Context } from 'hono';
import { etag } from 'hono/etag';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { matchedRoutes } from 'hono/route';

/** The public catalogue reads, as `METHOD /pattern` exactly as registered; nothing else is marked cacheable. */
export const CATALOGUE_READS: ReadonlySet<string> = new Set([
  'GET /events',
  'GET /events/nearby',
  'GET /events/:id',
  'GET /facilitators',
  'GET /facilitators/:id',
]);

/** Seconds a client or CDN may reuse an anonymous catalogue answer: seats left can lag by this much. */
export const CATALOGUE_MAX_AGE = 30;

/**
 * Weak ETags: Cloudflare weakens strong ones when it compresses a response anyway, and hono's `etag` compares
 * If-None-Match weakly (W/"x" matches "x"), which is what a 304 for a GET needs.
 */
const withEtag = etag({ weak: true });

/**
 * Shared caches may keep an answer only when it is the same for everyone: no Authorization (an admin sees
 * `crm_id`, and a token that is present is verified) and, for /events/nearby, an origin given in the query
 * rather than taken from the caller's own geolocation. Everything else is private to the caller.
 */
function cacheControl(c: Context<AppEnv>, pattern: string): string {
  const perCaller =
    c.req.header('Authorization') !== undefined ||
    (pattern === 'GET /events/nearby' && (c.req.query('lat') === undefined || c.req.query('lng') === undefined));
  return perCaller ? 'private, no-cache' : `public, max-age=${CATALOGUE_MAX_AGE}`;
}

/**
 * The pattern of the handler that answers: the first route registered for the path, as Hono runs them in order
 * (GET /events/nearby also matches /events/:id, registered after it).
 */
function answeringPattern(c: Context) {
  const route = matchedRoutes(c).find((r) => r.method !== 'ALL');
  return route && `${route.method} ${route.path}`;
}

/** ETag, Cache-Control and `If-None-Match` → 304 on successful catalogue reads; other routes pass untouched. */
export const catalogueCache = createMiddleware<AppEnv>(async (c, next) => {
  const pattern = answeringPattern(c);
  if (!pattern || !CATALOGUE_READS.has(pattern)) return next();
  await withEtag(c, async () => {
    await next();
    if (c.res.status !== 200) return;
    c.res.headers.set('Cache-Control', cacheControl(c, pattern));
    c.res.headers.append('Vary', 'Authorization');
  });
});
