import { toHex } from '../lib/hex';
import { factory } from './factory';
import { answeringRouteDoc } from './matched-route';

const encoder = new TextEncoder();

/** Seconds a client or CDN may reuse an anonymous catalogue answer: seats left can lag by this much. */
export const CATALOGUE_MAX_AGE = 30;

/** What a 304 keeps of the 200 it stands for (RFC 9110 15.4.5); the outer middleware add X-Request-Id and the rest. */
const RETAINED_ON_304 = new Set(['cache-control', 'content-location', 'date', 'etag', 'expires', 'vary']);

/**
 * A weak ETag (Cloudflare weakens strong ones anyway when it compresses) from the SHA-1 of the body. The body is
 * read once as a buffer: hono/etag's clone-and-stream digest cost ~10% of a catalogue read in the bench's profile.
 */
async function weakEtag(body: ArrayBuffer | Uint8Array): Promise<string> {
  return `W/"${toHex(await crypto.subtle.digest('SHA-1', body))}"`;
}

/** Weak comparison, as If-None-Match requires: W/"x" and "x" are the same tag; `*` matches anything. */
function matchesAny(ifNoneMatch: string | undefined, tag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = tag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === opaque);
}

/**
 * ETag, Cache-Control and `If-None-Match` → 304 on successful reads of routes marked `cache` (the catalogue); other
 * routes pass untouched. Shared caches may keep an answer only when it is the same for everyone: no Authorization
 * (an admin sees `crm_id`, and a token that is present is verified) and the route's own `sharedWhen` (nearby: an
 * origin given in the query, not the caller's geolocation). Everything else is private to the caller.
 * `Vary: Origin` too, since CORS headers are only added to requests that carry an Origin.
 */
export const catalogueCache = factory.createMiddleware(async (c, next) => {
  const cache = answeringRouteDoc(c)?.cache;
  if (!cache) return next();
  // The answer's text (JSON, or an iCalendar body) is kept as the handler makes it, so its ETag is taken without
  // reading the body back and the caching headers go on the same Response (reading it back and answering a copy
  // cost ~10% of a catalogue read).
  let bytes: Uint8Array | undefined;
  let made: Response | undefined;
  const body = c.body;
  c.body = ((data: unknown, ...rest: never[]) => {
    // Encoded once, for the digest and the Response alike.
    const encoded = typeof data === 'string' ? encoder.encode(data) : undefined;
    const response = body((encoded ?? data) as string, ...rest);
    [bytes, made] = encoded ? [encoded, response] : [undefined, undefined];
    return response;
  }) as unknown as typeof c.body;
  c.json = ((object: unknown, arg?: never, headers?: never) => {
    c.header('Content-Type', 'application/json');
    return c.body(JSON.stringify(object), arg, headers);
  }) as unknown as typeof c.json;
  await next();
  if (c.res.status !== 200) return;
  let answered: ArrayBuffer | Uint8Array;
  if (bytes && c.res === made) answered = bytes;
  else {
    // Made some other way (a stream): the body is read and answered anew.
    answered = await c.res.arrayBuffer();
    c.res = new Response(answered, c.res);
  }
  const tag = await weakEtag(answered);
  const headers = c.res.headers;
  headers.set('ETag', tag);
  const shared = c.req.header('Authorization') === undefined && (cache.sharedWhen?.(c) ?? true);
  headers.set('Cache-Control', shared ? `public, max-age=${CATALOGUE_MAX_AGE}` : 'private, no-cache');
  headers.append('Vary', 'Authorization, Origin');
  if (!matchesAny(c.req.header('If-None-Match'), tag)) return;
  const kept = new Headers();
  for (const [name, value] of headers) if (RETAINED_ON_304.has(name)) kept.append(name, value);
  c.res = new Response(null, { status: 304, headers: kept });
});
