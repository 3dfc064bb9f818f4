import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Every timestamp is stored as epoch milliseconds (UTC) and shown as ISO 8601 with `Z`. */
const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' });
const createdAt = () =>
  timestamp('created_at')
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const ROLES = ['member', 'facilitator', 'admin'] as const;

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    /** Trimmed and lower-cased before it is stored, so uniqueness is case-insensitive. */
    email: text('email').notNull(),
    role: text('role', { enum: ROLES }).notNull().default('member'),
    passwordAlgorithm: text('password_algorithm').notNull(),
    passwordIterations: integer('password_iterations').notNull(),
    passwordSalt: text('password_salt').notNull(),
    passwordHash: text('password_hash').notNull(),
    /**
     * Bumped by a password change or reset and by account deletion: access tokens carry the version they were issued
     * under (claim `ver`), and the auth middleware refuses any other, so every token issued before stops working.
     */
    tokenVersion: integer('token_version').notNull().default(0),
    /** Set when the account was deleted (anonymised); its bookings stay for the organisers' records. */
    deletedAt: timestamp('deleted_at'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at')
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    check('users_role_valid', sql`${t.role} IN ('member', 'facilitator', 'admin')`),
    check('users_email_normalised', sql`${t.email} = lower(trim(${t.email})) AND length(${t.email}) BETWEEN 3 AND 254`),
    check('users_name_length', sql`length(${t.name}) BETWEEN 1 AND 100`),
    check('users_password_iterations_cap', sql`${t.passwordIterations} BETWEEN 1 AND 100000`),
  ],
);

/**
 * Opaque refresh tokens, stored as SHA-256 hashes only. Rotation marks the old row `replaced_by_hash`;
 * presenting a rotated-away token again revokes its whole family (token theft detection).
 */
export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    familyId: text('family_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    replacedByHash: text('replaced_by_hash'),
    expiresAt: timestamp('expires_at').notNull(),
    revokedAt: timestamp('revoked_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('refresh_tokens_hash_unique').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_user_idx').on(t.userId),
    // The cron deletes rows past their family's end (expired, and revoked ones with them).
    index('refresh_tokens_expires_idx').on(t.expiresAt),
  ],
);

/**
 * One row per failed login, keyed on the email and the client's address together: a stranger guessing from one
 * address locks only that address out of the account, never its owner elsewhere.
 */
export const loginFailures = sqliteTable(
  'login_failures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    email: text('email').notNull(),
    /** CF-Connecting-IP; empty when the request did not come through Cloudflare (wrangler dev, tests). */
    clientAddress: text('client_address').notNull().default(''),
    failedAt: timestamp('failed_at').notNull(),
  },
  (t) => [
    index('login_failures_email_address_time_idx').on(t.email, t.clientAddress, t.failedAt),
    index('login_failures_failed_at_idx').on(t.failedAt),
  ],
);

/** Password reset tokens (POST /password/forgot): SHA-256 only, single use, valid 30 minutes. */
export const passwordResetTokens = sqliteTable(
  'password_reset_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
    usedAt: timestamp('used_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('password_reset_tokens_hash_unique').on(t.tokenHash),
    // At most 3 an hour per account: counted on this index.
    index('password_reset_tokens_user_created_idx').on(t.userId, t.createdAt),
    index('password_reset_tokens_expires_idx').on(t.expiresAt),
  ],
);

export const facilitators = sqliteTable(
  'facilitators',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    bio: text('bio'),
    crmId: text('crm_id').notNull(),
    userId: integer('user_id').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at')
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    uniqueIndex('facilitators_crm_id_unique').on(t.crmId),
    uniqueIndex('facilitators_user_id_unique').on(t.userId),
    check('facilitators_name_length', sql`length(${t.name}) BETWEEN 1 AND 100`),
    check('facilitators_crm_id_length', sql`length(${t.crmId}) BETWEEN 1 AND 64`),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type FacilitatorRow = typeof facilitators.$inferSelect;

export const EVENT_STATUSES = ['scheduled', 'completed', 'cancelled'] as const;
/** The minimum-attendance decision: `pending` until `decision_hours_before` the start, then made once by the cron. */
export const GO_DECISIONS = ['pending', 'confirmed', 'cancelled'] as const;
/** `resolved`: coordinates known (geocoded or given); `pending`: geocoder was down, a job will fill them; `online`/`none`: no place. */
export const LOCATION_STATUSES = ['resolved', 'pending', 'online', 'none'] as const;

export const SERIES_STATUSES = ['active', 'cancelled'] as const;

/**
 * A recurring class: the template its occurrences (ordinary events with `series_id`) are made from, and the RRULE
 * (the contract's subset) that says when. `generatedUntil` is the start of the last occurrence made so far: the cron
 * extends an open-ended series from there, so an occurrence moved or cancelled by hand is never made again.
 */
export const series = sqliteTable(
  'series',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    type: text('type').notNull(),
    rrule: text('rrule').notNull(),
    timezone: text('timezone').notNull(),
    startsAt: timestamp('starts_at').notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    location: text('location'),
    latitude: real('latitude'),
    longitude: real('longitude'),
    locationStatus: text('location_status', { enum: LOCATION_STATUSES }).notNull().default('none'),
    capacity: integer('capacity'),
    price: integer('price').notNull().default(0),
    currency: text('currency').notNull().default('INR'),
    facilitatorId: integer('facilitator_id')
      .notNull()
      .references(() => facilitators.id),
    /** The cancellation policy its occurrences are made with (see events). */
    cancellationCutoffHours: integer('cancellation_cutoff_hours').notNull().default(12),
    lateCancelRefundPercent: integer('late_cancel_refund_percent').notNull().default(0),
    status: text('status', { enum: SERIES_STATUSES }).notNull().default('active'),
    generatedUntil: timestamp('generated_until').notNull(),
    cancelledAt: timestamp('cancelled_at'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at')
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    index('series_facilitator_idx').on(t.facilitatorId),
    index('series_status_generated_idx').on(t.status, t.generatedUntil),
    check('series_status_valid', sql`${t.status} IN ('active', 'cancelled')`),
    check('series_title_length', sql`length(${t.title}) BETWEEN 1 AND 200`),
    check('series_duration_positive', sql`${t.durationMinutes} > 0`),
    check('series_capacity_positive', sql`${t.capacity} IS NULL OR ${t.capacity} > 0`),
    check('series_price_non_negative', sql`${t.price} >= 0`),
  ],
);

export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    type: text('type').notNull(),
    status: text('status', { enum: EVENT_STATUSES }).notNull().default('scheduled'),
    startsAt: timestamp('starts_at').notNull(),
    endsAt: timestamp('ends_at').notNull(),
    timezone: text('timezone').notNull().default('UTC'),
    location: text('location'),
    latitude: real('latitude'),
    longitude: real('longitude'),
    locationStatus: text('location_status', { enum: LOCATION_STATUSES }).notNull().default('none'),
    /** null means unlimited. */
    capacity: integer('capacity'),
    /** Seats taken: confirmed bookings plus unexpired payment holds. Kept by the same batch that changes them. */
    bookedCount: integer('booked_count').notNull().default(0),
    /** In the currency's minor unit (paise, cents); 0 means free. */
    price: integer('price').notNull().default(0),
    currency: text('currency').notNull().default('INR'),
    facilitatorId: integer('facilitator_id')
      .notNull()
      .references(() => facilitators.id),
    /** The recurring series this event is an occurrence of; null for a one-off event. */
    seriesId: integer('series_id').references(() => series.id),
    /** Cancellation policy: free until this many hours before the start, then a late cancel refunding the percent. */
    cancellationCutoffHours: integer('cancellation_cutoff_hours').notNull().default(12),
    lateCancelRefundPercent: integer('late_cancel_refund_percent').notNull().default(0),
    /** Minimum attendance: null means none; else the cron decides go/no-go `decision_hours_before` the start. */
    minAttendees: integer('min_attendees'),
    decisionHoursBefore: integer('decision_hours_before').notNull().default(24),
    /** null without a minimum; `pending` until the decision; then `confirmed` or `cancelled`, once. */
    goDecision: text('go_decision', { enum: GO_DECISIONS }),
    cancelledAt: timestamp('cancelled_at'),
    /** Last time a geocoding job tried a `pending` location; the cron re-enqueues only events nobody tried lately. */
    geocodeAttemptedAt: timestamp('geocode_attempted_at'),
    /**
     * iCalendar SEQUENCE (RFC 5545 3.8.7.4): bumped in the same batch as a reschedule (new start or place) or a
     * cancel, so calendars that already hold the event take the new version instead of ignoring it.
     */
    sequence: integer('sequence').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at')
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
    /**
     * The 1° × 1° cell of the map the event lies in (null without coordinates), computed by SQLite: floor(lat + 90)
     * × 1000 + floor(lng + 180). The nearby search reads the few cells its box covers through events_geo_cell_idx
     * instead of a whole latitude band around the globe (src/modules/events/geo-cells.ts).
     */
    geoCell: integer('geo_cell').generatedAlwaysAs(
      sql`CAST(latitude + 90 AS INTEGER) * 1000 + CAST(longitude + 180 AS INTEGER)`,
      { mode: 'virtual' },
    ),
  },
  (t) => [
    index('events_starts_at_idx').on(t.startsAt, t.id),
    // Every GET /events filter walks an index in (starts_at, id) order: type (case-insensitive, on the same
    // lower(type) expression the query uses), status, facilitator, series (the unique index below).
    index('events_type_key_idx').on(sql`lower(${t.type})`, t.startsAt, t.id),
    index('events_status_starts_idx').on(t.status, t.startsAt, t.id),
    index('events_type_status_idx').on(sql`lower(${t.type})`, t.status, t.startsAt, t.id),
    index('events_facilitator_idx').on(t.facilitatorId, t.startsAt),
    // The nearby search narrows by a bounding box on these columns before computing exact distances.
    index('events_lat_lng_idx').on(t.latitude, t.longitude),
    // ... through the cells it covers when they are few (a radius up to a few hundred km).
    index('events_geo_cell_idx').on(t.geoCell, t.latitude, t.longitude),
    index('events_location_status_idx').on(t.locationStatus, t.geocodeAttemptedAt),
    // The cron's attendance passes: events that ended (no-shows), decisions due (minimum attendance).
    index('events_ends_at_idx').on(t.endsAt),
    index('events_decision_due_idx')
      .on(t.startsAt)
      .where(sql`${t.goDecision} = 'pending'`),
    // One occurrence per series and start: a cron run that extends a series twice makes nothing twice. NULLs are
    // distinct in a unique index, so one-off events never collide.
    uniqueIndex('events_series_starts_unique').on(t.seriesId, t.startsAt),
    check('events_status_valid', sql`${t.status} IN ('scheduled', 'completed', 'cancelled')`),
    check('events_location_status_valid', sql`${t.locationStatus} IN ('resolved', 'pending', 'online', 'none')`),
    check('events_title_length', sql`length(${t.title}) BETWEEN 1 AND 200`),
    check('events_type_length', sql`length(${t.type}) BETWEEN 1 AND 50`),
    check('events_time_order', sql`${t.endsAt} > ${t.startsAt}`),
    check('events_latitude_range', sql`${t.latitude} IS NULL OR ${t.latitude} BETWEEN -90 AND 90`),
    check('events_longitude_range', sql`${t.longitude} IS NULL OR ${t.longitude} BETWEEN -180 AND 180`),
    check('events_coordinates_paired', sql`(${t.latitude} IS NULL) = (${t.longitude} IS NULL)`),
    check('events_capacity_positive', sql`${t.capacity} IS NULL OR ${t.capacity} > 0`),
    // The last line of defence against overbooking: a batch that would exceed capacity fails whole.
    check(
      'events_booked_within_capacity',
      sql`${t.bookedCount} >= 0 AND (${t.capacity} IS NULL OR ${t.bookedCount} <= ${t.capacity})`,
    ),
    check('events_price_non_negative', sql`${t.price} >= 0`),
    check('events_currency_code', sql`length(${t.currency}) = 3 AND ${t.currency} = upper(${t.currency})`),
  ],
);

/** Answers of the geocoder, keyed by the normalised query, so a repeated place costs no second call. */
export const geocodeCache = sqliteTable('geocode_cache', {
  query: text('query').primaryKey(),
  latitude: real('latitude'),
  longitude: real('longitude'),
  formattedAddress: text('formatted_address'),
  /** `found` or `not_found` (ZERO_RESULTS is cached too). */
  result: text('result', { enum: ['found', 'not_found'] }).notNull(),
  source: text('source', { enum: ['google', 'gazetteer'] }).notNull(),
  createdAt: createdAt(),
});

/**
 * `offered`: a waitlisted booking of a paid event that a freed seat is held for until `offer_expires_at`; its user
 * claims it (a payment hold) or it expires and the next in line is offered.
 */
export const BOOKING_STATUSES = ['confirmed', 'waitlisted', 'pending_payment', 'offered', 'cancelled'] as const;
export const PAYMENT_PROVIDERS = ['razorpay', 'stripe'] as const;
export const ATTENDANCE = ['attended', 'no_show'] as const;

export const bookings = sqliteTable(
  'bookings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    eventId: integer('event_id')
      .notNull()
      .references(() => events.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    status: text('status', { enum: BOOKING_STATUSES }).notNull(),
    bookedAt: timestamp('booked_at').notNull(),
    cancelledAt: timestamp('cancelled_at'),
    cancelReason: text('cancel_reason'),
    promotedAt: timestamp('promoted_at'),
    isPaid: integer('is_paid', { mode: 'boolean' }).notNull().default(false),
    paymentProvider: text('payment_provider', { enum: PAYMENT_PROVIDERS }),
    /** Razorpay order id or Stripe PaymentIntent id, created by /create-payment. */
    paymentOrderId: text('payment_order_id'),
    paymentId: text('payment_id'),
    /** A random key per hold for the provider's Idempotency-Key (Stripe): never reused by another hold or database. */
    paymentIdempotencyKey: text('payment_idempotency_key'),
    /** What the provider order was created for (minor units), fixed when the seat is held; confirmation checks it. */
    amountDue: integer('amount_due'),
    amountPaid: integer('amount_paid'),
    currency: text('currency').notNull().default('INR'),
    holdExpiresAt: timestamp('hold_expires_at'),
    /** Until when an `offered` seat is held (WAITLIST_OFFER_HOURS, never past the start). */
    offerExpiresAt: timestamp('offer_expires_at'),
    /** The booking this one was transferred from (POST /bookings/:id/transfer). */
    transferredFrom: integer('transferred_from'),
    /** `pass`: a credit of `member_pass_id` paid for it; `voucher`: a voucher made it free; null otherwise. */
    paidWith: text('paid_with', { enum: ['pass', 'voucher'] }),
    memberPassId: integer('member_pass_id'),
    /** The voucher that reduced `amount_due` (its uses are counted from these rows: vouchers/uses.ts). */
    voucherId: integer('voucher_id'),
    refundId: text('refund_id'),
    refundedAt: timestamp('refunded_at'),
    /** Refund requests the provider refused; the cron retries at `refund_retry_at` until the attempts run out. */
    refundAttempts: integer('refund_attempts').notNull().default(0),
    refundRetryAt: timestamp('refund_retry_at'),
    /** Set when the attempts ran out: an operator must refund by hand (an error is logged). */
    refundFailedAt: timestamp('refund_failed_at'),
    /**
     * The event's cancellation policy when the booking was made (a later edit of the event does not change it):
     * free until this many hours before the start, then a late cancel refunding this percent.
     */
    policyCutoffHours: integer('policy_cutoff_hours').notNull().default(0),
    policyLateRefundPercent: integer('policy_late_refund_percent').notNull().default(0),
    /** Set by the cancel: a cancel by its user from the cut-off on, and what it refunds (null: nothing was paid). */
    lateCancel: integer('late_cancel', { mode: 'boolean' }).notNull().default(false),
    refundAmount: integer('refund_amount'),
    /** The secret the door scans: 32 random hex characters, made with the row. */
    checkInCode: text('check_in_code'),
    attendance: text('attendance', { enum: ATTENDANCE }),
    attendedAt: timestamp('attended_at'),
    /** The admin or facilitator account that checked the booking in. */
    checkedInBy: integer('checked_in_by'),
    updatedAt: timestamp('updated_at')
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    // One active booking per user and event; cancelled rows stay and do not count.
    uniqueIndex('bookings_one_active_per_user_event')
      .on(t.userId, t.eventId)
      .where(sql`${t.status} IN ('confirmed', 'waitlisted', 'pending_payment', 'offered')`),
    // A payment buys one booking. A transfer moves it to the new booking; the old row keeps it as history, so the
    // uniqueness leaves rows cancelled by a transfer out.
    uniqueIndex('bookings_payment_id_unique')
      .on(t.paymentId)
      .where(sql`${t.cancelReason} IS NOT 'transferred'`),
    uniqueIndex('bookings_payment_order_id_unique').on(t.paymentOrderId),
    uniqueIndex('bookings_check_in_code_unique').on(t.checkInCode),
    index('bookings_event_status_idx').on(t.eventId, t.status, t.bookedAt),
    index('bookings_user_idx').on(t.userId, t.bookedAt),
    // The admin CSV export pages through bookings by (booked_at, id) within its from/to window.
    index('bookings_booked_at_idx').on(t.bookedAt, t.id),
    index('bookings_hold_expiry_idx').on(t.holdExpiresAt),
    // Pass credits: the bookings of a pass (charges) and the pass bookings cancelled at an instant (returns), so the
    // statements every cancel and pass booking add read an index, never the table.
    index('bookings_member_pass_idx')
      .on(t.memberPassId, t.bookedAt)
      .where(sql`${t.memberPassId} IS NOT NULL`),
    index('bookings_pass_cancelled_idx')
      .on(t.cancelledAt)
      .where(sql`${t.paidWith} = 'pass'`),
    index('bookings_voucher_idx')
      .on(t.voucherId)
      .where(sql`${t.voucherId} IS NOT NULL`),
    // The cron closes waitlists at the start: the waitlisted rows, by event.
    index('bookings_waitlisted_idx')
      .on(t.eventId)
      .where(sql`${t.status} = 'waitlisted'`),
    index('bookings_offer_expiry_idx')
      .on(t.offerExpiresAt)
      .where(sql`${t.status} = 'offered'`),
    // The cron's refund queue: cancelled bookings holding a payment with no refund yet, by when they are due.
    index('bookings_refund_due_idx')
      .on(t.refundRetryAt, t.id)
      .where(
        sql`${t.status} = 'cancelled' AND ${t.paymentId} IS NOT NULL AND ${t.refundId} IS NULL AND ${t.refundFailedAt} IS NULL AND coalesce(${t.refundAmount}, 1) > 0`,
      ),
    check('bookings_status_valid', sql`${t.status} IN ('confirmed', 'waitlisted', 'pending_payment', 'offered', 'cancelled')`),
    check('bookings_cancelled_has_time', sql`(${t.status} = 'cancelled') = (${t.cancelledAt} IS NOT NULL)`),
    check('bookings_paid_has_payment', sql`${t.isPaid} = 0 OR (${t.paymentId} IS NOT NULL AND ${t.amountPaid} IS NOT NULL)`),
  ],
);

/** The reminders sent: one row per booking and offset (hours before the start), so each goes out at most once. */
export const bookingReminders = sqliteTable(
  'booking_reminders',
  {
    bookingId: integer('booking_id')
      .notNull()
      .references(() => bookings.id),
    offsetHours: integer('offset_hours').notNull(),
    sentAt: timestamp('sent_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.bookingId, t.offsetHours] })],
);

/** `Idempotency-Key` answers, per user and key, kept 24 hours. */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    bookingId: integer('booking_id').references(() => bookings.id),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
);

export const OUTBOX_STATUSES = ['pending', 'queued', 'delivered', 'dead'] as const;

/**
 * The transactional outbox of CRM notifications: written in the same batch as the change it reports, then sent
 * to the queue. The cron re-sends rows still not delivered after a few minutes; the dead-letter consumer marks `dead`.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    payload: text('payload', { mode: 'json' }).notNull(),
    status: text('status', { enum: OUTBOX_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: createdAt(),
    queuedAt: timestamp('queued_at'),
    deliveredAt: timestamp('delivered_at'),
    deadAt: timestamp('dead_at'),
  },
  (t) => [
    index('outbox_status_created_idx').on(t.status, t.createdAt),
    check('outbox_status_valid', sql`${t.status} IN ('pending', 'queued', 'delivered', 'dead')`),
  ],
);

/** Class passes for sale: a pack of `credits` classes, or unlimited, valid `valid_days` from activation. */
export const passes = sqliteTable(
  'passes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    /** null for an unlimited pass. */
    credits: integer('credits'),
    unlimited: integer('unlimited', { mode: 'boolean' }).notNull().default(false),
    price: integer('price').notNull(),
    currency: text('currency').notNull().default('INR'),
    validDays: integer('valid_days').notNull(),
    /** JSON array of event types (compared case-insensitively) the pass books; null for any. */
    eventTypes: text('event_types', { mode: 'json' }).$type<string[] | null>(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at')
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    check('passes_credits_or_unlimited', sql`(${t.unlimited} = 1) = (${t.credits} IS NULL)`),
    check('passes_credits_range', sql`${t.credits} IS NULL OR ${t.credits} BETWEEN 1 AND 1000`),
    check('passes_valid_days_range', sql`${t.validDays} BETWEEN 1 AND 730`),
    check('passes_price_non_negative', sql`${t.price} >= 0`),
  ],
);

export const MEMBER_PASS_STATUSES = ['pending_payment', 'active', 'expired', 'cancelled'] as const;

/**
 * A pass a member bought: the purchase while `pending_payment`, then the member's pass. The product's terms are copied
 * at purchase, so editing the product changes nothing for holders. Its credit balance is never stored: it is the sum
 * of its rows in `pass_ledger`, so it cannot drift from them.
 */
export const memberPasses = sqliteTable(
  'member_passes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    passId: integer('pass_id')
      .notNull()
      .references(() => passes.id),
    status: text('status', { enum: MEMBER_PASS_STATUSES }).notNull(),
    name: text('name').notNull(),
    creditsTotal: integer('credits_total'),
    unlimited: integer('unlimited', { mode: 'boolean' }).notNull(),
    eventTypes: text('event_types', { mode: 'json' }).$type<string[] | null>(),
    validDays: integer('valid_days').notNull(),
    amountDue: integer('amount_due').notNull(),
    amountPaid: integer('amount_paid'),
    currency: text('currency').notNull(),
    paymentProvider: text('payment_provider', { enum: PAYMENT_PROVIDERS }),
    paymentOrderId: text('payment_order_id'),
    paymentId: text('payment_id'),
    paymentIdempotencyKey: text('payment_idempotency_key'),
    voucherId: integer('voucher_id'),
    activatedAt: timestamp('activated_at'),
    expiresAt: timestamp('expires_at'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at')
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    index('member_passes_user_idx').on(t.userId, t.id),
    index('member_passes_voucher_idx')
      .on(t.voucherId)
      .where(sql`${t.voucherId} IS NOT NULL`),
    uniqueIndex('member_passes_payment_id_unique').on(t.paymentId),
    uniqueIndex('member_passes_payment_order_id_unique').on(t.paymentOrderId),
    index('member_passes_expiry_idx')
      .on(t.expiresAt)
      .where(sql`${t.status} = 'active'`),
    check('member_passes_status_valid', sql`${t.status} IN ('pending_payment', 'active', 'expired', 'cancelled')`),
    check(
      'member_passes_active_has_payment',
      sql`${t.status} = 'pending_payment' OR ${t.status} = 'cancelled' OR ${t.expiresAt} IS NOT NULL`,
    ),
  ],
);

/** Discount codes: percent or amount off, for one event, an event type or everything, with a number of uses. */
export const vouchers = sqliteTable(
  'vouchers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Lower-cased: codes are case-insensitive. */
    code: text('code').notNull(),
    percentOff: integer('percent_off'),
    amountOff: integer('amount_off'),
    /** The currency of amount_off (it applies only to prices in it); null for a percentage. */
    currency: text('currency'),
    maxUses: integer('max_uses').notNull(),
    validUntil: timestamp('valid_until'),
    eventId: integer('event_id').references(() => events.id),
    eventType: text('event_type'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('vouchers_code_unique').on(t.code),
    check('vouchers_one_discount', sql`(${t.percentOff} IS NULL) <> (${t.amountOff} IS NULL)`),
    check('vouchers_percent_range', sql`${t.percentOff} IS NULL OR ${t.percentOff} BETWEEN 1 AND 100`),
    check('vouchers_amount_positive', sql`${t.amountOff} IS NULL OR ${t.amountOff} > 0`),
    check('vouchers_max_uses_positive', sql`${t.maxUses} > 0`),
  ],
);

export type VoucherRow = typeof vouchers.$inferSelect;

export const LEDGER_REASONS = ['purchase', 'booking', 'booking_cancelled', 'expiry'] as const;

/** Every change of a member pass's credits, one row each, written in the same batch as its cause. */
export const passLedger = sqliteTable(
  'pass_ledger',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    memberPassId: integer('member_pass_id')
      .notNull()
      .references(() => memberPasses.id),
    change: integer('change').notNull(),
    reason: text('reason', { enum: LEDGER_REASONS }).notNull(),
    bookingId: integer('booking_id').references(() => bookings.id),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [
    index('pass_ledger_pass_idx').on(t.memberPassId, t.id),
    // One charge and one return per booking; one purchase and one expiry per pass.
    uniqueIndex('pass_ledger_booking_reason_unique')
      .on(t.bookingId, t.reason)
      .where(sql`${t.bookingId} IS NOT NULL`),
    uniqueIndex('pass_ledger_pass_once_unique')
      .on(t.memberPassId, t.reason)
      .where(sql`${t.reason} IN ('purchase', 'expiry')`),
    check('pass_ledger_reason_valid', sql`${t.reason} IN ('purchase', 'booking', 'booking_cancelled', 'expiry')`),
  ],
);

/** Provider webhook events already processed, so a redelivered event changes nothing. */
export const paymentEvents = sqliteTable(
  'payment_events',
  {
    provider: text('provider', { enum: PAYMENT_PROVIDERS }).notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    bookingId: integer('booking_id').references(() => bookings.id),
    receivedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId] })],
);

/**
 * A member's personal calendar subscription (GET /calendar/<token>.ics): one per user, the token stored as its
 * SHA-256 only. POST /me/calendar-feed replaces the row, so the previous URL stops working at once.
 */
export const calendarFeeds = sqliteTable(
  'calendar_feeds',
  {
    userId: integer('user_id')
      .primaryKey()
      .references(() => users.id),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('calendar_feeds_token_hash_unique').on(t.tokenHash)],
);

/**
 * Third-party webhook subscriptions (admin): every outbox message of a subscribed type is delivered to the URL,
 * signed with `secret`. The secret is kept as is (it must sign), and shown only in the answer that created it.
 * `events` is a JSON array of message types. DELETE is soft (`deleted_at`) so the delivery log keeps its subscription.
 */
export const webhookSubscriptions = sqliteTable(
  'webhook_subscriptions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    url: text('url').notNull(),
    events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
    description: text('description'),
    secret: text('secret').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    /** Why it stopped: `gone` (the receiver answered 410) or `deleted`. */
    deactivatedReason: text('deactivated_reason'),
    deactivatedAt: timestamp('deactivated_at'),
    deletedAt: timestamp('deleted_at'),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    index('webhook_subscriptions_active_idx').on(t.active),
    check('webhook_subscriptions_url_length', sql`length(${t.url}) BETWEEN 8 AND 2048`),
  ],
);

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'dead'] as const;

/**
 * One row per (subscription, message): the fan-out of the outbox to each subscriber, and its delivery log. The unique
 * pair makes the fan-out idempotent (a CRM message consumed twice fans out once). `pending` until the first attempt,
 * `failed` while retries remain, then `delivered` or `dead`. `queued_at` is set when the queue accepted it; the cron
 * re-sends rows the queue never got. Ping deliveries have a message id of their own and no outbox row.
 */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    subscriptionId: integer('subscription_id')
      .notNull()
      .references(() => webhookSubscriptions.id),
    messageId: text('message_id').notNull(),
    type: text('type').notNull(),
    status: text('status', { enum: WEBHOOK_DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** The receiver's HTTP status on the last attempt; null when it never answered (network error, timeout). */
    responseStatus: integer('response_status'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    queuedAt: timestamp('queued_at'),
    lastAttemptAt: timestamp('last_attempt_at'),
    deliveredAt: timestamp('delivered_at'),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_subscription_message_unique').on(t.subscriptionId, t.messageId),
    index('webhook_deliveries_subscription_idx').on(t.subscriptionId, t.id),
    index('webhook_deliveries_status_created_idx').on(t.status, t.createdAt),
    check('webhook_deliveries_status_valid', sql`${t.status} IN ('pending', 'delivered', 'failed', 'dead')`),
  ],
);

export type EventRow = typeof events.$inferSelect;
export type SeriesRow = typeof series.$inferSelect;
export type BookingRow = typeof bookings.$inferSelect;
export type OutboxRow = typeof outbox.$inferSelect;
export type PassRow = typeof passes.$inferSelect;
export type MemberPassRow = typeof memberPasses.$inferSelect;
export type WebhookSubscriptionRow = typeof webhookSubscriptions.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
