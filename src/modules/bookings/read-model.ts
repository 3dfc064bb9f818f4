import { asc, eq, sql, type SQL } from 'drizzle-orm';
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

/** Bookings with everything their JSON shows, in one query; ordered by the event's start, then booking id. */
export async function loadBookings(db: Database, where: SQL | undefined): Promise<BookingWithEvent[]> {
  return db
    .select({ booking: bookings, event: eventWithFacilitatorColumns, waitlistPosition })
    .from(bookings)
    .innerJoin(events, eq(events.id, bookings.eventId))
    .innerJoin(facilitators, eq(facilitators.id, events.facilitatorId))
    .where(where)
    .orderBy(asc(events.startsAt), asc(bookings.id));
}

export async function findBooking(db: Database, id: number): Promise<BookingWithEvent | undefined> {
  const [found] = await loadBookings(db, eq(bookings.id, id));
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
    event: eventJson(event),
  };
}
