import { and, asc, desc, eq, gt, lte, sql, type SQL } from 'drizzle-orm';
import { bookings, events, facilitators, type BookingRow } from '../../db/schema';
import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import { cutoffAt } from './policy';
import type { BookingJson } from './schemas';
import { eventJson, eventWithFacilitatorColumns, type EventWithFacilitator } from '../events/read-model';

/** The waitlist position is derived, never stored: 1-based rank by (booked_at, id) among the event's waitlisted. */
const waitlistPosition = sql<number | null>`CASE WHEN ${bookings.status} = 'waitlisted' THEN (
  SELECT count(*) FROM bookings w WHERE w.event_id = ${bookings.eventId} AND w.status = 'waitlisted'
    AND (w.booked_at < ${bookings.bookedAt} OR (w.booked_at = ${bookings.bookedAt} AND w.id <= ${bookings.id}))
) END`;

export interface BookingWithEvent {
  booking: BookingRow;
  event: EventWithFacilitator;
  waitlistPosition: number | null;
}

/**
 * Bookings with everything their JSON shows, in one query; ordered by the event's start, then booking id (latest first
 * with `latestFirst`), at most `limit` of them when given.
 */
export async function loadBookings(
  db: Database,
  where: SQL | undefined,
  options: { latestFirst?: boolean; limit?: number } = {},
): Promise<BookingWithEvent[]> {
  const order = options.latestFirst ? desc : asc;
  const query = db
    .select({ booking: bookings, event: eventWithFacilitatorColumns, waitlistPosition })
    .from(bookings)
    .innerJoin(events, eq(events.id, bookings.eventId))
    .innerJoin(facilitators, eq(facilitators.id, events.facilitatorId))
    .where(where)
    .orderBy(order(events.startsAt), order(bookings.id));
  return options.limit === undefined ? query : query.limit(options.limit);
}

export async function findBooking(db: Database, id: number): Promise<BookingWithEvent | undefined> {
  const [found] = await loadBookings(db, eq(bookings.id, id));
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
  const key = sql`(${events.startsAt}, ${bookings.id})`;
  const [upcoming, past] = await Promise.all([
    loadBookings(
      db,
      and(
        eq(bookings.userId, userId),
        gt(events.startsAt, page.now),
        page.upcomingAfter ? sql`${key} > (${page.upcomingAfter[0]}, ${page.upcomingAfter[1]})` : undefined,
      ),
      { limit: page.limit + 1 },
    ),
    loadBookings(
      db,
      and(
        eq(bookings.userId, userId),
        lte(events.startsAt, page.now),
        page.pastBefore ? sql`${key} < (${page.pastBefore[0]}, ${page.pastBefore[1]})` : undefined,
      ),
      { latestFirst: true, limit: page.limit + 1 },
    ),
  ]);
  return { upcoming, past };
}
