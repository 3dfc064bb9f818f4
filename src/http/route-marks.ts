import type { Context, MiddlewareHandler } from 'hono';
import type { ZodType } from 'zod';
import type { ErrorCode } from './errors';

/**
 * Route policy and documentation that live on the route itself: `describeRoute()` is a pass-through middleware
 * carrying the summary, the answers, and whether the route is public or cacheable; `validate()` marks its middleware
 * with the zod schema it enforces. Authentication, caching and the OpenAPI document all read these marks from the
 * route that answers (see matched-route.ts), so none of them can drift from what runs.
 */
export const ROUTE_DOC = Symbol.for('ahoum.routeDoc');
export const ROUTE_VALIDATION = Symbol.for('ahoum.routeValidation');

export interface ResponseDoc {
  description: string;
  /** A JSON answer's shape. */
  schema?: ZodType;
  /** A non-JSON answer's media type (an image, a calendar, a CSV file), documented as a string body. */
  mediaType?: string;
}

export interface RouteDoc {
  summary: string;
  tags: string[];
  description?: string;
  /** Anyone may call it. Every route that does not say so needs an access token (deny by default). */
  public?: true;
  /**
   * A catalogue read: ETag, If-None-Match → 304 and Cache-Control on its 200s. An answer may go to shared caches
   * only when no Authorization was sent and `sharedWhen` (default: always) holds for the request.
   */
  cache?: { sharedWhen?: (c: Context) => boolean };
  /**
   * Abuse limit (Workers Rate Limiting binding, src/http/rate-limit.ts): `user` counts per signed-in user,
   * `address` per client address (CF-Connecting-IP), each per route; over it the answer is 429 rate_limited.
   */
  rateLimit?: 'user' | 'address';
  /**
   * `in-batch`: the route's own write batch checks that the access token is still current, instead of the auth
   * middleware reading the user first (one D1 round trip fewer on a hot write). Such a route has no `c.get('user')`
   * (no role, name or email), only `tokenSubject(c)`; each of its writes must hold only if `currentTokenSql` does, and
   * a refusal must be explained by `assertTokenCurrent` first (src/http/auth.ts).
   */
  userCheck?: 'in-batch';
  /** Success answers by status. */
  responses: Record<number, ResponseDoc>;
  /** The error codes this route answers with beyond the standard ones (validation, auth, body, 5xx). */
  errors?: ErrorCode[];
  /** Extra headers the route reads, e.g. Idempotency-Key. */
  headers?: Array<{ name: string; description: string; required?: boolean }>;
}

export interface RouteValidation {
  target: 'json' | 'query' | 'param' | 'header';
  schema: ZodType;
  /** A JSON body the route may also be called without (it then validates `{}`). */
  optional?: boolean;
}

export type MarkedHandler = MiddlewareHandler & { [ROUTE_DOC]?: RouteDoc; [ROUTE_VALIDATION]?: RouteValidation };

export function describeRoute(doc: RouteDoc): MiddlewareHandler {
  const middleware: MiddlewareHandler = async (_c, next) => {
    await next();
  };
  return Object.assign(middleware, { [ROUTE_DOC]: doc });
}
