import { clientRequest, fetchWithEnv, type CallOptions } from '../support/http';
import { instrumentD1, recordingQueue, type FaultPlan } from './instrumented-d1';
import { hardeningDb } from './isolated-db';

export interface HardCallOptions extends CallOptions {
  /** Fail the Nth D1 round trip of this request. */
  fault?: FaultPlan;
  /** Make every queue send fail. */
  queueDown?: boolean;
  /** Settings for this one request (e.g. a lower cap). */
  vars?: Record<string, string>;
  /** Count against the real rate limiters (wrangler.toml); by default every request is let through. */
  realRateLimits?: boolean;
}

/**
 * A rate limiter that lets everything through: the suites send hundreds of requests per route and user, which the
 * real per-minute limits would turn into 429s depending on the wall clock. The limits have their own tests.
 */
const unlimited: RateLimit = { limit: async () => ({ success: true }) };

/**
 * Calls the app as a client would, against the hardening suites' own D1 through the instrumented binding, with
 * recording queues; waits for work left in waitUntil, so the answer and every write it caused are in.
 */
export async function hardCall(method: string, path: string, options: HardCallOptions = {}) {
  return hardFetch(clientRequest(method, path, options), options);
}

export async function hardFetch(
  request: Request,
  options: Pick<HardCallOptions, 'fault' | 'queueDown' | 'vars' | 'realRateLimits'> = {},
) {
  const d1 = instrumentD1(hardeningDb, options.fault);
  const crm = recordingQueue({ fail: options.queueDown });
  const jobs = recordingQueue({ fail: options.queueDown });
  const sentToken = request.headers.has('Authorization');
  const limiters = options.realRateLimits ? {} : { USER_RATE_LIMITER: unlimited, ADDRESS_RATE_LIMITER: unlimited };
  const res = await fetchWithEnv(request, {
    ...options.vars,
    ...limiters,
    DB: d1.db,
    CRM_QUEUE: crm.queue,
    JOBS_QUEUE: jobs.queue,
  });
  return { ...res, d1, crm: crm.sent, jobs: jobs.sent, sentToken };
}

export type HardResponse = Awaited<ReturnType<typeof hardFetch>>;

/**
 * The D1 round trips the route's handler made. Before the handler only the authentication reads D1: one user lookup,
 * first, when a token that verifies is present. Body checks, role checks and validators read nothing.
 */
export function handlerTrips(res: HardResponse) {
  const authLookup = res.sentToken && /\bfrom\s+users\s+where\s+id\s*=/i.test(res.d1.trips[0]?.sql[0] ?? '') ? 1 : 0;
  return res.d1.trips.slice(authLookup);
}

/** What the app answers before a route's handler runs: body checks, authentication, role checks, validators, no route. */
const PRE_HANDLER_CODES = new Set([
  'invalid_json',
  'unsupported_media_type',
  'payload_too_large',
  'unauthorized',
  'forbidden',
  'validation_failed',
  'not_found',
]);

/**
 * Did the request get past the middleware and the validators into its route's handler? A success says so, and so does
 * an error code only handlers throw (event_full, invalid_signature, rate_limited...). The codes above are thrown before
 * the handler too (and by it), so for them the D1 log decides: did the handler make a round trip?
 */
export function reachedHandler(res: HardResponse): boolean {
  if (res.status < 400) return true;
  if (!PRE_HANDLER_CODES.has(res.json?.code)) return true;
  return handlerTrips(res).length > 0;
}
