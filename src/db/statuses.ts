import type { BOOKING_STATUSES } from './schema';

type BookingStatus = (typeof BOOKING_STATUSES)[number];

/** Bookings that hold a place: a seat (confirmed, a payment hold, an offer) or a waitlist place. Cancelled ones do not. */
export const ACTIVE_BOOKING_STATUSES = [
  'confirmed',
  'waitlisted',
  'pending_payment',
  'offered',
] as const satisfies BookingStatus[];
/** Bookings that take a seat, which `events.booked_count` counts: an offer holds its seat for its user. */
export const SEAT_TAKING_STATUSES = ['confirmed', 'pending_payment', 'offered'] as const satisfies BookingStatus[];

const sqlList = (statuses: readonly string[]) => `(${statuses.map((s) => `'${s}'`).join(', ')})`;

/** For raw SQL: `status IN ${ACTIVE_BOOKING_STATUSES_SQL}`. */
export const ACTIVE_BOOKING_STATUSES_SQL = sqlList(ACTIVE_BOOKING_STATUSES);
export const SEAT_TAKING_STATUSES_SQL = sqlList(SEAT_TAKING_STATUSES);
