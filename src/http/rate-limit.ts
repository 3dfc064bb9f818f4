import { clientAddress } from './client-address';
import { rateLimited } from './errors';
import { factory } from './factory';
import { answeringRoute } from './matched-route';

/** The binding each kind of limit counts in (wrangler.toml `[[ratelimits]]`, where the limits themselves are set). */
export const RATE_LIMITERS = { user: 'USER_RATE_LIMITER', address: 'ADDRESS_RATE_LIMITER' } as const;
/** Both limiters count per minute; the binding does not say when a key frees up, so Retry-After is the whole period. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

/**
 * Abuse limits from the route's mark (describeRoute `rateLimit`), after authentication so a user limit knows the
 * user: one count per request, keyed on the route and the user id or the client address, so each route has its own
 * budget. A request without CF-Connecting-IP did not come through Cloudflare (wrangler dev, tests) and has no address
 * to count. The binding answers from the Cloudflare location's cache: no D1 and no network on the request's path.
 */
export const rateLimit = factory.createMiddleware(async (c, next) => {
  const route = answeringRoute(c);
  const by = route?.doc.rateLimit;
  if (by) {
    const subject = by === 'user' ? (c.get('user')?.id ?? c.get('subject')?.id) : clientAddress(c);
    if (subject) {
      const { success } = await c.env[RATE_LIMITERS[by]].limit({ key: `${route.method} ${route.path} ${subject}` });
      if (!success) throw rateLimited(RATE_LIMIT_PERIOD_SECONDS);
    }
  }
  await next();
});
