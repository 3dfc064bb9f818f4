import { rowReader } from '../../db/row-reader';
import { bookings, type BookingRow } from '../../db/schema';
import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import { cutoffAt } from './policy';
import type { BookingJson } from './schemas';
import { EVENT_SQL, eventJson, readEvent, type EventWithFacilitator } from '../events/read-model';

const bookingColumns = rowReader(bookings, 'b');

/** The waitlist position is derived, never stored: 1-based rank by (booked_at, id) among the event's waitlisted. */
const WAITLIST_POSITION_SQL = `CASE WHEN b.status = 'waitlisted' THEN (
  SELECT count(*) FROM bookings w WHERE w.event_id = b.event_id AND w.status = 'waitlisted'
    AND (w.booked_at < b.booked_at OR (w.booked_at = b.booked_at AND w.id <= b.id))
) END AS waitlist_position`;

export interface BookingWithEvent {
  booking: BookingRow;
  event: EventWithFacilitator;
  waitlistPosition: number | null;
}

/** A condition on `b` (bookings), `e` (events) and `f` (facilitators), with its bound values. */
export interface BookingFilter {
  where: string;
  params: unknown[];
}

/**
 * The statement for bookings with everything their JSON shows (hand-written, not built by drizzle per request; read
 * rows with `readBooking`), ordered by the event's start, then booking id (latest first with `latestFirst`), at most
 * `limit` of them when given. Also used inside batches, to read a booking back in the batch that wrote it.
 */
export function bookingsQuery(filter: BookingFilter, options: { latestFirst?: boolean; limit?: number } = {}) {
  const order = options.latestFirst ? 'DESC' : 'ASC';
  const sql = `SELECT ${bookingColumns.columns}, ${EVENT_SQL.columns}, ${WAITLIST_POSITION_SQL}
    FROM bookings b JOIN events e ON e.id = b.event_id JOIN facilitators f ON f.id = e.facilitator_id
    WHERE ${filter.where} ORDER BY e.starts_at ${order}, b.id ${order}${options.limit === undefined ? '' : ' LIMIT ?'}`;
  return { sql, params: options.limit === undefined ? filter.params : [...filter.params, options.limit] };
}

/** One row of `bookingsQuery`, as drizzle would give it. */
export function readBooking(row: Record<string, unknown>): BookingWithEvent {
  return {
    booking: bookingColumns.read(row),
    event: readEvent(row),
    waitlistPosition: (row.waitlist_position as number | null) ?? null,
  };
}

/** Bookings with everything their JSON shows, in one query (see bookingsQuery). */
export async function loadBookings(
  db: Database,
  filter: BookingFilter,
  options: { latestFirst?: boolean; limit?: number } = {},
): Promise<BookingWithEvent[]> {
  const query = bookingsQuery(filter, options);
  const { results } = await db.$client
    .prepare(query.sql)
    .bind(...query.params)
    .all();
  return results.map(readBooking);
}

export async function findBooking(db: Database, id: number): Promise<BookingWithEvent | undefined> {
  const [found] = await loadBookings(db, { where: 'b.id = ?', params: [id] });
  return found;
}

/** A booking its user (or an admin) may see: 404 when there is none, 403 when it is someone else's. */
export async function visibleBooking(db: Database, id: number, viewer: { id: number; role: string }) {
  const found = await findBooking(db, id);
  if (!found) throw new ApiError('not_found', 'Booking not found');
  if (found.booking.userId !== viewer.id && viewer.role !== 'admin') throw new ApiError('forbidden', 'This booking is not yours');
  return found;
}

/** The contract's `booking` object of one booking, or 404. */
export async function bookingJsonById(db: Database, id: number, audience: BookingAudience): Promise<BookingJson> {
  const found = await findBooking(db, id);
  if (!found) throw new ApiError('not_found', 'Booking not found');
  return bookingJson(found, audience);
}

/**
 * Who an answer is for. `owner`: the booking's user, or an admin, who see its `check_in_code`; `staff`: anyone else
 * (a facilitator's roster or check-in), who never do.
 */
export type BookingAudience = 'owner' | 'staff';

/** The one serializer of the contract's `booking` object. */
export function bookingJson({ booking, event, waitlistPosition }: BookingWithEvent, audience: BookingAudience): BookingJson {
  return {
    id: booking.id,
    event_id: booking.eventId,
    user_id: booking.userId,
    status: booking.status,
    booked_at: booking.bookedAt.toISOString(),
    cancelled_at: booking.cancelledAt?.toISOString() ?? null,
    cancel_reason: booking.cancelReason,
    waitlist_position: waitlistPosition,
    is_paid: booking.isPaid,
    payment_id: booking.paymentId,
    amount_paid: booking.amountPaid,
    currency: booking.currency,
    policy: {
      cutoff_at: cutoffAt(event.startsAt, booking.policyCutoffHours).toISOString(),
      late_cancel_refund_percent: booking.policyLateRefundPercent,
    },
    late_cancel: booking.lateCancel,
    refund_amount: booking.refundAmount,
    check_in_code: audience === 'owner' && booking.status === 'confirmed' ? booking.checkInCode : null,
    attendance: booking.attendance,
    attended_at: booking.attendedAt?.toISOString() ?? null,
    offer_expires_at: booking.offerExpiresAt?.toISOString() ?? null,
    transferred_from: booking.transferredFrom,
    paid_with: booking.paidWith ?? (booking.isPaid ? 'money' : null),
    member_pass_id: booking.memberPassId,
    event: eventJson(event),
  };
}

/**
 * GET /my-bookings: the user's bookings of events not started yet (soonest first, after the `[starts_at, id]` key
 * `upcomingAfter`) and of events started (latest first, before `pastBefore`), `limit + 1` of each, read with a LIMIT.
 */
export async function myBookings(
  db: Database,
  userId: number,
  page: { limit: number; now: Date; upcomingAfter?: number[]; pastBefore?: number[] },
) {
  const now = page.now.getTime();
  const upcoming = bookingsQuery(
    page.upcomingAfter
      ? {
          where: 'b.user_id = ? AND e.starts_at > ? AND (e.starts_at, b.id) > (?, ?)',
          params: [userId, now, page.upcomingAfter[0], page.upcomingAfter[1]],
        }
      : { where: 'b.user_id = ? AND e.starts_at > ?', params: [userId, now] },
    { limit: page.limit + 1 },
  );
  const past = bookingsQuery(
    page.pastBefore
      ? {
          where: 'b.user_id = ? AND e.starts_at <= ? AND (e.starts_at, b.id) < (?, ?)',
          params: [userId, now, page.pastBefore[0], page.pastBefore[1]],
        }
      : { where: 'b.user_id = ? AND e.starts_at <= ?', params: [userId, now] },
    { latestFirst: true, limit: page.limit + 1 },
  );
  // Both lists in one round trip.
  const [upcomingRows, pastRows] = await db.$client.batch<Record<string, unknown>>([
    db.$client.prepare(upcoming.sql).bind(...upcoming.params),
    db.$client.prepare(past.sql).bind(...past.params),
  ]);
  return { upcoming: upcomingRows!.results.map(readBooking), past: pastRows!.results.map(readBooking) };
}
