import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** A validation problem, as the contract shows it: `{ path: "a.b", message }`. */
export interface Issue {
  path: string;
  message: string;
}

/**
 * The one error the app throws on purpose. `code` is the stable, machine-readable name clients branch on;
 * `msg` is for people. The single `onError` turns it into the contract's JSON shape.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    msg: string,
    readonly options: { issues?: Issue[]; headers?: Record<string, string> } = {},
  ) {
    super(msg);
    this.name = 'ApiError';
  }
}

export const badRequest = (code: string, msg: string) => new ApiError(400, code, msg);
export const unauthorized = (msg = 'Authentication required') =>
  new ApiError(401, 'unauthorized', msg, { headers: { 'WWW-Authenticate': 'Bearer realm="ahoum", error="invalid_token"' } });
export const forbidden = (msg = 'You are not allowed to do this') => new ApiError(403, 'forbidden', msg);
export const notFound = (msg = 'Not found') => new ApiError(404, 'not_found', msg);
export const conflict = (code: string, msg: string) => new ApiError(409, code, msg);
export const unprocessable = (code: string, msg: string) => new ApiError(422, code, msg);
export const rateLimited = (retryAfterSeconds: number) =>
  new ApiError(429, 'rate_limited', 'Too many attempts; try again later', {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });
export const serviceUnavailable = (msg = 'A service we depend on is unavailable; try again shortly') =>
  new ApiError(503, 'service_unavailable', msg, { headers: { 'Retry-After': '5' } });

export function validationFailed(issues: Issue[]): ApiError {
  return new ApiError(400, 'validation_failed', 'The request is not valid', { issues });
}
