import type { EventRow } from '../../db/schema';
import { ACTIVE_BOOKING_STATUSES_SQL, bookingMessages, eventMessage } from '../crm/outbox';
import { promoteNextWaitlisted, recountSeats } from '../bookings/seats';

/**
 * What an event change does to its bookings, as statements for the event's own batch, so the change, the
 * bookings and the CRM messages commit together. Rows are never deleted.
 */

/**
 * Cancelling an event: one `event.cancelled` message listing the active bookings, then every active booking
 * cancelled (reason `event_cancelled`) with its own `booking.cancelled` message, and the seat count reset.
 * Put these BEFORE the event's status update in the batch: they read the bookings and status it changes.
 * Paid bookings are refunded by the payments cron (cancelled, paid, no refund recorded).
 */
export function eventCancellationCascade(d1: D1Database, eventId: number, now: Date) {
  return [
    eventMessage(d1, 'event.cancelled', { eventId, occurredAt: now, condition: `e.status <> 'cancelled'` }),
    bookingMessages(d1, 'booking.cancelled', {
      where: `b.event_id = ? AND b.status IN ${ACTIVE_BOOKING_STATUSES_SQL}`,
      params: [eventId],
      occurredAt: now,
      bookingStatus: 'cancelled',
      cancelReason: 'event_cancelled',
    }),
    d1
      .prepare(
        `UPDATE bookings SET status = 'cancelled', cancelled_at = ?1, cancel_reason = 'event_cancelled', updated_at = ?1
         WHERE event_id = ?2 AND status IN ${ACTIVE_BOOKING_STATUSES_SQL}`,
      )
      .bind(now.getTime(), eventId),
    recountSeats(d1, eventId),
  ];
}

type EventPlaceAndTime = Pick<EventRow, 'startsAt' | 'location' | 'latitude' | 'longitude'>;

/** A new start or a new place is what the CRM hears of as `event.rescheduled`. */
export function isRescheduled(before: EventPlaceAndTime, after: EventPlaceAndTime): boolean {
  return (
    before.startsAt.getTime() !== after.startsAt.getTime() ||
    before.location !== after.location ||
    before.latitude !== after.latitude ||
    before.longitude !== after.longitude
  );
}

/** `event.rescheduled` with the ids of the active bookings; put it AFTER the event's update (it shows the new date). */
export function eventRescheduledMessage(d1: D1Database, eventId: number, now: Date) {
  return eventMessage(d1, 'event.rescheduled', { eventId, occurredAt: now });
}

/** At most this many waitlisted bookings are promoted by one capacity change (each is three statements). */
const MAX_PROMOTIONS_PER_UPDATE = 20;

/**
 * More seats (a higher capacity, or none) go to the waitlist in order, in the same batch as the capacity change.
 * Put these AFTER the event's update.
 */
export function fillFreedSeats(d1: D1Database, eventId: number, before: number | null, after: number | null, now: Date) {
  const gained = after === null ? (before === null ? 0 : MAX_PROMOTIONS_PER_UPDATE) : after - (before ?? after);
  const count = Math.min(Math.max(gained, 0), MAX_PROMOTIONS_PER_UPDATE);
  return Array.from({ length: count }, () => promoteNextWaitlisted(d1, eventId, now)).flat();
}
