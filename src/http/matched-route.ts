import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';
import { ROUTE_VALIDATION, type RouteValidation } from './route-marks';

/**
 * The route that answers this request, or undefined when it is headed for a 404. Hono runs matching routes in
 * registration order, so it is the first one that is not `app.use` middleware (GET /events/nearby also matches
 * /events/:id, which is registered after it).
 */
export function handlerRoute(c: Context) {
  return matchedRoutes(c).find((route) => route.method !== 'ALL');
}

/** `METHOD /pattern` of the answering route, as written in PUBLIC_ROUTES and the OpenAPI document. */
export function handlerPattern(c: Context): string | undefined {
  const route = handlerRoute(c);
  return route && `${route.method} ${route.path}`;
}

/** True when the answering route validates a JSON body (`validate('json', ...)` among its handlers). */
export function handlerTakesJsonBody(c: Context): boolean {
  const answering = handlerRoute(c);
  return matchedRoutes(c).some(
    (route) =>
      route.method === answering?.method &&
      route.path === answering.path &&
      (route.handler as { [ROUTE_VALIDATION]?: RouteValidation })[ROUTE_VALIDATION]?.target === 'json',
  );
}
