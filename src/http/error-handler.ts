import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../env';
import { ApiError, type ErrorCode } from './errors';

/** What Hono's own HTTPExceptions (e.g. a malformed request it could not read) are called in the catalogue. */
const CODES_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/**
 * Storage faults the client can retry: the transient D1_ERRORs Cloudflare documents ("Retry the operation"), plus
 * SQLite busy/locked. Matched anywhere in the error's cause chain, since drizzle wraps the D1 error in its own.
 */
const TRANSIENT_STORAGE_ERROR = new RegExp(
  [
    'Network connection lost',
    'D1 DB reset because its code was updated',
    'caused object to be reset',
    'D1 DB.*was reset',
    'D1 DB is overloaded',
    'transient issue on remote node',
    'D1_ERROR:.*timed? ?out',
    'SQLITE_BUSY',
    'database is locked',
  ].join('|'),
  'i',
);

function isTransientStorageError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++, current = current.cause) {
    if (TRANSIENT_STORAGE_ERROR.test(current.message)) return true;
  }
  return false;
}

function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    const code = CODES_BY_STATUS[error.status] ?? (error.status >= 500 ? 'internal_error' : 'bad_request');
    return new ApiError(code, error.message || undefined);
  }
  if (isTransientStorageError(error)) return new ApiError('service_unavailable');
  return null;
}

export function errorBody(c: Context<AppEnv>, error: ApiError) {
  return {
    msg: error.message,
    code: error.code,
    request_id: c.get('requestId'),
    ...(error.options.issues ? { issues: error.options.issues } : {}),
    ...error.options.extra,
  };
}

/** The one error handler: known errors keep their code; anything else is logged in full and answered as a masked 500. */
export const onError: ErrorHandler<AppEnv> = (error, c) => {
  const known = toApiError(error);
  if (known) {
    if (known.status >= 500) logError(c, error);
    return c.json(errorBody(c, known), known.status, known.headers);
  }
  logError(c, error);
  const masked = new ApiError('internal_error', 'Something went wrong on our side; it has been logged');
  return c.json(errorBody(c, masked), 500);
};

export const onNotFound: NotFoundHandler<AppEnv> = (c) =>
  c.json(errorBody(c, new ApiError('not_found', `No route for ${c.req.method} ${c.req.path}`)), 404);

function logError(c: Context<AppEnv>, error: unknown) {
  console.error(
    JSON.stringify({
      level: 'error',
      request_id: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
      // drizzle wraps D1's error ("Failed query: ..."); the cause says what actually went wrong.
      causes: causeMessages(error),
    }),
  );
}

function causeMessages(error: unknown): string[] {
  const messages: string[] = [];
  for (let cause = error instanceof Error ? error.cause : undefined; cause !== undefined && messages.length < 5;) {
    messages.push(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return messages;
}
