import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './errors';
import { factory } from './factory';
import { answeringHandlers } from './matched-route';
import { ROUTE_VALIDATION } from './route-marks';

export const MAX_BODY_BYTES = 64 * 1024;
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** 413 for any body over 64 KiB, declared by Content-Length or streamed in chunks without one. */
export const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError('payload_too_large', `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB`);
  },
});

/**
 * POST, PUT and PATCH bodies are checked before any handler runs: declared as JSON (415) and parseable (400).
 * A route that takes no body (e.g. an admin replay) may be called without one, whatever the content type, as the
 * contract says. Hono caches the text, so validators and webhook signature checks read the same bytes again.
 */
export const requireJsonBody = factory.createMiddleware(async (c, next) => {
  const method = c.req.method;
  // DELETE bodies are read only by a route that takes one (DELETE /me {password}); other DELETEs ignore theirs.
  if (!METHODS_WITH_BODY.has(method) && method !== 'DELETE') return next();
  const handlers = answeringHandlers(c);
  if (handlers.length === 0) return next();
  // A route whose body is optional is called without one like a route that takes none.
  const takesJson = handlers.some(
    (handler) => handler[ROUTE_VALIDATION]?.target === 'json' && !handler[ROUTE_VALIDATION].optional,
  );
  if (!takesJson && method === 'DELETE') return next();
  // An empty body, not a missing stream: proxies (wrangler dev) may pass an empty one for a bodyless request.
  if (!takesJson && (await c.req.text()) === '') return next();
  const mediaType = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim();
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new ApiError('unsupported_media_type', 'Send the body as JSON with Content-Type: application/json');
  }
  try {
    JSON.parse(await c.req.text());
  } catch {
    throw new ApiError('invalid_json', 'The request body is not valid JSON');
  }
  return next();
});
