import { z } from 'zod';
import { EVENT_STATUSES, GO_DECISIONS, LOCATION_STATUSES } from '../../db/schema';
import { pageCursor, pageLimit } from '../../http/page';
import { isoInstant, positiveIdText } from '../../http/params';

const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const caseInsensitiveStatus = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(EVENT_STATUSES, { message: `Must be one of ${EVENT_STATUSES.join(', ')}` }));

/** Every field a client may set on an event; anything else in the body (booked_count, id, ...) is dropped. */
export const eventFields = {
  title: z.string().trim().min(1, 'Title must not be empty').max(200),
  description: z.string().trim().max(5000),
  type: z.string().trim().min(1, 'Type must not be empty').max(50),
  starts_at: isoInstant,
  date: isoInstant.describe('The predecessor’s name for starts_at'),
  ends_at: isoInstant,
  duration_minutes: z
    .number()
    .int()
    .min(1)
    .max(31 * 24 * 60),
  timezone: z.string().trim().max(64).refine(isTimeZone, 'Must be an IANA time zone, e.g. Asia/Kolkata'),
  location: z.string().trim().min(1).max(200).nullable().describe('"Online" (any case) means no place'),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  capacity: z.number().int().positive().max(1_000_000).nullable().describe('null means unlimited'),
  price: z.number().int().min(0).max(1_000_000_000).describe('Minor units (paise, cents); 0 means free'),
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .refine((code) => KNOWN_CURRENCIES.has(code), 'Must be an ISO 4217 currency code, e.g. INR'),
  status: caseInsensitiveStatus,
  facilitator_id: z.number().int().positive().describe('Admins only; a facilitator’s events are its own'),
  ...policyFields(),
  min_attendees: z
    .number()
    .int()
    .positive()
    .max(1_000_000)
    .nullable()
    .describe('The event runs only if this many are booked at the decision time; null means no minimum'),
  decision_hours_before: z
    .number()
    .int()
    .min(0)
    .max(720)
    .describe('When the cron decides go/no-go for a minimum, in hours before the start (default 24)'),
};

/** The cancellation policy fields, shared by events and series. */
export function policyFields() {
  return {
    cancellation_cutoff_hours: z
      .number()
      .int()
      .min(0)
      .max(720)
      .describe('Free cancellation until this many hours before the start (default CANCELLATION_CUTOFF_HOURS)'),
    late_cancel_refund_percent: z
      .number()
      .int()
      .min(0)
      .max(100)
      .describe('Share of the price refunded on a late cancel (from the cut-off until the start); default 0'),
  };
}

type Fields = { [K in keyof typeof eventFields]?: z.output<(typeof eventFields)[K]> };

function checkPairs(body: Fields, ctx: z.RefinementCtx) {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if ((body.latitude === undefined) !== (body.longitude === undefined)) issue('latitude', 'Give latitude and longitude together');
  // A refinement also runs when a field failed a non-aborting check, so a value here may not be a Date yet.
  if (body.starts_at instanceof Date && body.date instanceof Date && body.starts_at.getTime() !== body.date.getTime()) {
    issue('date', 'date and starts_at differ; give one of them');
  }
  if (body.ends_at && body.duration_minutes !== undefined)
    issue('duration_minutes', 'Give ends_at or duration_minutes, not both');
}

export const updateEventBody = z.object(eventFields).partial().superRefine(checkPairs).meta({ id: 'EventUpdate' });

export const createEventBody = z
  .object(eventFields)
  .partial()
  .required({ title: true, type: true })
  .superRefine((body, ctx) => {
    if (!body.starts_at && !body.date)
      ctx.addIssue({ code: 'custom', path: ['starts_at'], message: 'starts_at (or date) is required' });
    checkPairs(body, ctx);
  })
  .meta({ id: 'EventCreate' });

export type EventChanges = z.output<typeof updateEventBody>;
export type NewEvent = z.output<typeof createEventBody>;

/** A decimal number in a query string: digits only, so "", "abc", "1e3" and "NaN" are refused rather than coerced. */
const decimal = z
  .string()
  .trim()
  .regex(/^[+-]?(\d+(\.\d*)?|\.\d+)$/, 'Must be a decimal number')
  .transform(Number);

export const listEventsQuery = z.object({
  status: caseInsensitiveStatus.optional(),
  type: z.string().trim().min(1).max(50).optional(),
  facilitator_id: positiveIdText.optional(),
  series_id: positiveIdText.optional().describe('The occurrences of one recurring series'),
  from: isoInstant.optional(),
  to: isoInstant.optional(),
  q: z.string().trim().max(200).optional(),
  limit: pageLimit,
  cursor: pageCursor,
});

export const nearbyQuery = z.object({
  lat: decimal.pipe(z.number().min(-90).max(90)).optional(),
  lng: decimal.pipe(z.number().min(-180).max(180)).optional(),
  radius: decimal.pipe(z.number().gt(0, 'Must be more than 0').max(1000, 'At most 1000 km')).optional(),
  limit: pageLimit,
});

/** The contract's `event` object, as every route (events, bookings, payments) shows it. */
export const eventSchema = z
  .object({
    id: z.number().int(),
    title: z.string(),
    description: z.string(),
    type: z.string(),
    status: z.enum(EVENT_STATUSES),
    starts_at: z.string().describe('ISO 8601, UTC'),
    ends_at: z.string().describe('ISO 8601, UTC'),
    date: z.string().describe('Equals starts_at (the predecessor’s name)'),
    timezone: z.string().describe('IANA time zone of the venue, for display'),
    location: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    location_status: z.enum(LOCATION_STATUSES),
    capacity: z.number().int().nullable().describe('null means unlimited'),
    booked_count: z.number().int(),
    seats_left: z.number().int().nullable().describe('null when capacity is unlimited'),
    price: z.number().int().describe('Minor units (paise, cents); 0 means free'),
    currency: z.string().describe('ISO 4217'),
    facilitator: z.string().describe('The facilitator’s name'),
    facilitator_id: z.number().int(),
    series_id: z.number().int().nullable().describe('The recurring series this is an occurrence of; null for a one-off event'),
    cancellation_cutoff_hours: z.number().int(),
    late_cancel_refund_percent: z.number().int(),
    min_attendees: z.number().int().nullable(),
    decision_hours_before: z.number().int(),
    go_decision: z
      .enum(GO_DECISIONS)
      .nullable()
      .describe('null without a minimum; pending until the decision; then confirmed, or cancelled (min_attendance_not_met)'),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Event' });

export type EventJson = z.infer<typeof eventSchema>;

export const nearbySchema = z.object({
  nearby_events: z.array(eventSchema.extend({ distance_km: z.number().describe('Great-circle distance, 2 decimals') })),
  origin: z.object({ lat: z.number(), lng: z.number(), source: z.enum(['query', 'cf']) }),
});

export const alternativesSchema = z.object({
  alternatives: z.array(
    eventSchema.extend({ distance_km: z.number().nullable().describe('From the full event, 2 decimals; null when online') }),
  ),
});
