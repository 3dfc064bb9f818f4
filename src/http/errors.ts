import type { ContentfulStatusCode } from 'hono/utils/http-status';

interface CatalogueEntry {
  status: ContentfulStatusCode;
  /** The message when the thrower gives none, and what the OpenAPI document says of the code. */
  message: string;
  /** Headers every answer with this code carries. */
  headers?: Record<string, string>;
}

/**
 * Every error code this API answers with: the closed catalogue clients branch on. Routes, rules and the OpenAPI
 * document read it; `ApiError` only takes a code listed here, so a code that is not in it fails the typecheck.
 */
export const ERROR_CATALOGUE = {
  bad_request: { status: 400, message: 'The request could not be read' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON' },
  validation_failed: { status: 400, message: 'The request is not valid (see issues: one { path, message } per problem)' },
  invalid_signature: { status: 400, message: 'The webhook signature is missing, wrong or stale' },
  invalid_webhook: { status: 400, message: 'The webhook body is not an event we can read' },
  payment_verification_failed: { status: 400, message: 'The payment could not be verified; nothing changed' },
  invalid_password: { status: 400, message: 'The password is not correct' },
  invalid_token: { status: 400, message: 'This reset link is unknown, used or expired; ask for a new one' },
  unauthorized: {
    status: 401,
    message: 'Authentication required',
    headers: { 'WWW-Authenticate': 'Bearer realm="ahoum", error="invalid_token"' },
  },
  payment_required: { status: 402, message: 'This event is paid: book it through POST /create-payment' },
  forbidden: { status: 403, message: 'You are not allowed to do this' },
  not_found: { status: 404, message: 'Not found' },
  method_not_allowed: { status: 405, message: 'This method is not allowed here' },
  email_taken: { status: 409, message: 'An account with this email already exists' },
  crm_id_taken: { status: 409, message: 'Another facilitator has this crm_id' },
  user_already_facilitator: { status: 409, message: 'This account is already linked to another facilitator' },
  capacity_below_bookings: { status: 409, message: 'The new capacity is below the seats already booked for this event' },
  event_full: { status: 409, message: 'The event is fully booked' },
  already_booked: { status: 409, message: 'You already have a booking for this event' },
  event_not_bookable: { status: 409, message: 'This event cannot be booked (cancelled, completed, under way or over)' },
  booking_limit_reached: {
    status: 409,
    message: 'You already hold the most active bookings allowed for upcoming events (MAX_ACTIVE_BOOKINGS_PER_USER)',
  },
  booking_already_cancelled: { status: 409, message: 'This booking is already cancelled' },
  event_started: { status: 409, message: 'The event has already started; the booking can no longer be cancelled' },
  idempotency_key_in_progress: {
    status: 409,
    message: 'A request with this Idempotency-Key is still being processed; retry shortly',
  },
  payment_not_required: { status: 409, message: 'This event is free: book it through POST /book' },
  payment_hold_expired: {
    status: 409,
    message: 'The seat hold expired before the payment was confirmed; the payment will be refunded',
  },
  payment_already_used: { status: 409, message: 'This payment has already been used for another booking' },
  booking_already_paid: { status: 409, message: 'This booking is already paid with another payment' },
  booking_not_payable: { status: 409, message: 'Only a held (pending_payment) booking can be paid' },
  series_cancelled: { status: 409, message: 'This series is cancelled' },
  occurrence_conflict: { status: 409, message: 'Another occurrence of this series starts at that time' },
  check_in_closed: {
    status: 409,
    message: 'Check-in is open from CHECK_IN_OPENS_MINUTES before the start until 12 hours after the end',
  },
  already_checked_in: { status: 409, message: 'This booking is already checked in' },
  booking_not_confirmed: {
    status: 409,
    message: 'Only a confirmed booking can be checked in, transferred or has a check-in code',
  },
  booking_not_offered: { status: 409, message: 'Only a booking offered a seat from the waitlist can be claimed' },
  offer_expired: { status: 409, message: 'The waitlist offer expired; the seat went to the next in line' },
  pass_not_usable: {
    status: 409,
    message: 'This pass cannot be used here (expired, used up, not yours, or not for this type of event)',
  },
  voucher_exhausted: { status: 409, message: 'Every use of this voucher is taken' },
  voucher_code_taken: { status: 409, message: 'Another voucher has this code' },
  price_differs: { status: 409, message: 'A booking can only move to an event of the same price and currency' },
  cutoff_passed: { status: 409, message: 'The booking’s cancellation cut-off has passed; it can no longer be transferred' },
  event_has_active_bookings: {
    status: 409,
    message: 'An event with active bookings cannot be moved into the past; cancel it instead',
  },
  webhook_inactive: {
    status: 409,
    message: 'This webhook is inactive (its receiver answered 410 Gone); create a new subscription',
  },
  webhook_limit_reached: { status: 409, message: 'There are already 100 webhook subscriptions; delete one first' },
  payload_too_large: { status: 413, message: 'The request body is larger than 64 KiB' },
  unsupported_media_type: { status: 415, message: 'Send the body as JSON with Content-Type: application/json' },
  voucher_invalid: { status: 422, message: 'This voucher code is unknown, expired or not for this' },
  idempotency_key_reused: { status: 422, message: 'This Idempotency-Key was already used with another request body' },
  location_not_found: { status: 422, message: 'No such place was found; nothing was saved' },
  facilitator_not_found: { status: 422, message: 'No facilitator has this facilitator_id' },
  user_not_found: { status: 422, message: 'No account has this user_id' },
  rate_limited: { status: 429, message: 'Too many attempts; try again later (see Retry-After)' },
  internal_error: { status: 500, message: 'Something went wrong on our side; it has been logged' },
  payment_provider_error: { status: 502, message: 'The payment provider could not be reached or refused; nothing is held' },
  geocoding_unavailable: {
    status: 503,
    message: 'The geocoder is unavailable and the place is not known offline; try again shortly',
    headers: { 'Retry-After': '30' },
  },
  service_unavailable: {
    status: 503,
    message: 'A service we depend on is unavailable; try again shortly',
    headers: { 'Retry-After': '5' },
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** A validation problem, as the contract shows it: `{ path: "a.b", message }`. */
export interface Issue {
  path: string;
  message: string;
}

/**
 * The one error the app throws on purpose. `code` is the stable, machine-readable name clients branch on and fixes
 * the status; `message` is for people. The single `onError` turns it into the contract's JSON shape.
 */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly options: { issues?: Issue[]; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
  ) {
    const entry: CatalogueEntry = ERROR_CATALOGUE[code];
    super(message ?? entry.message);
    this.name = 'ApiError';
    this.status = entry.status;
    this.headers = { ...entry.headers, ...options.headers };
  }
}

export const unauthorized = (message?: string) => new ApiError('unauthorized', message);

export const rateLimited = (retryAfterSeconds: number) =>
  new ApiError('rate_limited', 'Too many attempts; try again later', {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });

export function validationFailed(issues: Issue[]): ApiError {
  return new ApiError('validation_failed', 'The request is not valid', { issues });
}
