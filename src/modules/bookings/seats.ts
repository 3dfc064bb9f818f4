import { bookingMessages } from '../crm/outbox';

/**
 * Seat bookkeeping shared by every batch that changes bookings (booking, cancelling, event cancellation, payments).
 * `events.booked_count` counts confirmed bookings and payment holds; it is recounted from the bookings in the same
 * batch as the change, so it cannot drift, and its CHECK (booked_count <= capacity) fails the whole batch otherwise.
 */
export function recountSeats(d1: D1Database, eventId: number) {
  return d1
    .prepare(
      `UPDATE events SET booked_count = (SELECT count(*) FROM bookings
         WHERE event_id = ?1 AND status IN ('confirmed', 'pending_payment'))
       WHERE id = ?1`,
    )
    .bind(eventId);
}

/**
 * Payment holds whose time is up give their seat back (the row stays, cancelled with reason `payment_expired`).
 * Every batch that checks an event's seats runs this and a recount first, so an expired hold never blocks a seat
 * even before the cron gets to it; `eventId` null releases them everywhere (the cron).
 */
export function releaseExpiredHolds(d1: D1Database, eventId: number | null, now: Date) {
  return d1
    .prepare(
      `UPDATE bookings SET status = 'cancelled', cancelled_at = ?1, cancel_reason = 'payment_expired', updated_at = ?1
       WHERE status = 'pending_payment' AND hold_expires_at <= ?1 AND (?2 IS NULL OR event_id = ?2)
       RETURNING event_id`,
    )
    .bind(now.getTime(), eventId);
}

/** The earliest waitlisted booking of the event (by booked_at, then id): the next one to get a seat. */
const NEXT_WAITLISTED = `(SELECT id FROM bookings WHERE event_id = ? AND status = 'waitlisted' ORDER BY booked_at, id LIMIT 1)`;
const SEAT_FREE = `EXISTS (SELECT 1 FROM events s WHERE s.id = ? AND s.status = 'scheduled' AND s.starts_at > ?
  AND (s.capacity IS NULL OR s.booked_count < s.capacity))`;

/**
 * Statements that give a free seat to the earliest waitlisted booking, with its `booking.promoted` message.
 * Append them to a batch after a `recountSeats`; the message and the update test the same condition on the same
 * state, so the message is written exactly when the promotion happens. Repeat them to fill several seats.
 */
export function promoteNextWaitlisted(d1: D1Database, eventId: number, now: Date) {
  const condition = `${NEXT_WAITLISTED} AND ${SEAT_FREE}`;
  const params = [eventId, eventId, now.getTime()];
  return [
    bookingMessages(d1, 'booking.promoted', {
      where: `b.id = ${condition}`,
      params,
      occurredAt: now,
      bookingStatus: 'confirmed',
    }),
    d1
      .prepare(`UPDATE bookings SET status = 'confirmed', promoted_at = ?, updated_at = ? WHERE id = ${condition}`)
      .bind(now.getTime(), now.getTime(), ...params),
    recountSeats(d1, eventId),
  ];
}
