import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';
import { ROUTE_DOC, type MarkedHandler, type RouteDoc } from './route-marks';

/**
 * Every handler registered for the route that answers this request (its describeRoute mark, validators, the handler
 * itself); none when it is headed for a 404. Hono runs matching routes in registration order, so the answering route
 * is the first match that is not `app.use` middleware (GET /events/nearby also matches /events/:id, registered after).
 */
export function answeringHandlers(c: Context): MarkedHandler[] {
  const routes = matchedRoutes(c);
  const answering = routes.find((route) => route.method !== 'ALL');
  if (!answering) return [];
  return routes
    .filter((route) => route.method === answering.method && route.path === answering.path)
    .map((route) => route.handler as MarkedHandler);
}

/**
 * The describeRoute mark of the answering route: whether it is public, cacheable, and its documentation. Read by the
 * auth and cache middleware on every request, so it walks the matched routes once without building arrays.
 */
export function answeringRouteDoc(c: Context): RouteDoc | undefined {
  return answeringRoute(c)?.doc;
}

type AnsweringRoute = { method: string; path: string; doc: RouteDoc } | undefined;

/** Found once per request: the auth, rate-limit and cache middleware all ask. */
const answeringRoutes = new WeakMap<Context, AnsweringRoute>();

/** The answering route's method, path pattern (`/cancel-booking/:id`) and describeRoute mark. */
export function answeringRoute(c: Context): AnsweringRoute {
  if (answeringRoutes.has(c)) return answeringRoutes.get(c);
  const found = findAnsweringRoute(c);
  answeringRoutes.set(c, found);
  return found;
}

function findAnsweringRoute(c: Context): AnsweringRoute {
  let answering: { method: string; path: string } | undefined;
  for (const route of matchedRoutes(c)) {
    if (route.method === 'ALL') continue;
    answering ??= route;
    if (route.method !== answering.method || route.path !== answering.path) continue;
    const doc = (route.handler as MarkedHandler)[ROUTE_DOC];
    if (doc) return { method: answering.method, path: answering.path, doc };
  }
  return undefined;
}
