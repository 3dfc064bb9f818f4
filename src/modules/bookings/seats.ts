import type { Batch } from '../../db/batch';
import { SEAT_TAKING_STATUSES_SQL } from '../../db/statuses';
import { bookingMessages } from '../crm/outbox';

/**
 * Seat bookkeeping shared by every batch that changes bookings (booking, cancelling, event cancellation, payments).
 * `events.booked_count` counts confirmed bookings and payment holds; it is recounted from the bookings in the same
 * batch as the change, so it cannot drift, and its CHECK (booked_count <= capacity) fails the whole batch otherwise.
 */
export function recountSeats(batch: Batch, scope: SeatScope) {
  if (typeof scope === 'number') {
    return batch.sql(
      `UPDATE events SET booked_count = (SELECT count(*) FROM bookings
         WHERE event_id = ?1 AND status IN ${SEAT_TAKING_STATUSES_SQL})
       WHERE id = ?1`,
      scope,
    );
  }
  return batch.sql(
    `UPDATE events SET booked_count = (SELECT count(*) FROM bookings
       WHERE event_id = events.id AND status IN ${SEAT_TAKING_STATUSES_SQL})
     WHERE id IN (SELECT e.id FROM events e WHERE ${scope.where})`,
    ...scope.params,
  );
}

/** Whose seats to recount: one event, or the events an SQL condition on `e` selects (a series' occurrences). */
export type SeatScope = number | { where: string; params: unknown[] };

/** The earliest waitlisted booking of the event (by booked_at, then id): the next one to get a seat. */
const NEXT_WAITLISTED = `(SELECT id FROM bookings WHERE event_id = ? AND status = 'waitlisted' ORDER BY booked_at, id LIMIT 1)`;
const SEAT_FREE = `EXISTS (SELECT 1 FROM events s WHERE s.id = ? AND s.status = 'scheduled' AND s.starts_at > ?
  AND (s.capacity IS NULL OR s.booked_count < s.capacity))`;

/**
 * Gives a free seat to the earliest waitlisted booking, with its `booking.promoted` message. Add it to a batch after
 * a `recountSeats`; the message and the update test the same condition on the same state, so the message is written
 * exactly when the promotion happens. Repeat it to fill several seats.
 */
export function promoteNextWaitlisted(batch: Batch, eventId: number, now: Date) {
  const condition = `${NEXT_WAITLISTED} AND ${SEAT_FREE}`;
  const params = [eventId, eventId, now.getTime()];
  bookingMessages(batch, 'booking.promoted', {
    where: `b.id = ${condition}`,
    params,
    occurredAt: now,
    bookingStatus: 'confirmed',
  });
  batch.sql(
    `UPDATE bookings SET status = 'confirmed', promoted_at = ?, updated_at = ? WHERE id = ${condition}`,
    now.getTime(),
    now.getTime(),
    ...params,
  );
  recountSeats(batch, eventId);
}
