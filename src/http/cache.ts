import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { handlerPattern } from './matched-route';

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

/** What a 304 keeps of the 200 it stands for (RFC 9110 15.4.5); the outer middleware add X-Request-Id and the rest. */
const RETAINED_ON_304 = new Set(['cache-control', 'content-location', 'date', 'etag', 'expires', 'vary']);

/**
 * A weak ETag (Cloudflare weakens strong ones anyway when it compresses) from the SHA-1 of the body. The body is
 * read once as a buffer: hono/etag's clone-and-stream digest cost ~10% of a catalogue read in the bench's profile.
 */
async function weakEtag(body: ArrayBuffer): Promise<string> {
  let hex = '';
  for (const byte of new Uint8Array(await crypto.subtle.digest('SHA-1', body))) hex += byte.toString(16).padStart(2, '0');
  return `W/"${hex}"`;
}

/** Weak comparison, as If-None-Match requires: W/"x" and "x" are the same tag; `*` matches anything. */
function matchesAny(ifNoneMatch: string | undefined, tag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = tag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === opaque);
}

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
 * ETag, Cache-Control and `If-None-Match` → 304 on successful catalogue reads; other routes pass untouched.
 * `Vary: Origin` too, since CORS headers are only added to requests that carry an Origin.
 */
export const catalogueCache = createMiddleware<AppEnv>(async (c, next) => {
  const pattern = handlerPattern(c);
  if (!pattern || !CATALOGUE_READS.has(pattern)) return next();
  await next();
  if (c.res.status !== 200) return;
  const body = await c.res.arrayBuffer();
  const tag = await weakEtag(body);
  const headers = new Headers(c.res.headers);
  headers.set('ETag', tag);
  headers.set('Cache-Control', cacheControl(c, pattern));
  headers.append('Vary', 'Authorization, Origin');
  if (!matchesAny(c.req.header('If-None-Match'), tag)) {
    c.res = new Response(body, { status: 200, headers });
    return;
  }
  c.res = new Response(null, { status: 304, headers });
  for (const name of [...c.res.headers.keys()]) if (!RETAINED_ON_304.has(name)) c.res.headers.delete(name);
});
