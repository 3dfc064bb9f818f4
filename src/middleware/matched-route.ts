import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';

/** The route handler (not middleware) this request will reach, or undefined when it is headed for a 404. */
export function handlerRoute(c: Context) {
  return matchedRoutes(c).findLast((route) => route.method !== 'ALL');
}
