import type { Batch } from '../../db/batch';
import { ACTIVE_BOOKING_STATUSES_SQL, SEAT_TAKING_STATUSES_SQL } from '../../db/statuses';

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

/** SQL, on the events row `alias`: a seat is free (no capacity, or fewer seats taken than it). */
export const hasFreeSeat = (alias: string) => `(${alias}.capacity IS NULL OR ${alias}.booked_count < ${alias}.capacity)`;
/** SQL, on the events row `alias`: every seat is taken. */
export const isFull = (alias: string) => `(${alias}.capacity IS NOT NULL AND ${alias}.booked_count >= ${alias}.capacity)`;

/** SQL: the event (an id expression) is scheduled, has not started at `now`, and has a seat free. */
export const eventHasFreeSeat = (event: string, now: string) =>
  `EXISTS (SELECT 1 FROM events s WHERE s.id = ${event} AND s.status = 'scheduled' AND s.starts_at > ${now}
    AND ${hasFreeSeat('s')})`;

/** SQL: the user holds an active booking (a seat, a waitlist place or a payment hold) on the event. */
export const holdsActiveBooking = (user: string, event: string) =>
  `EXISTS (SELECT 1 FROM bookings held WHERE held.user_id = ${user} AND held.event_id = ${event}
    AND held.status IN ${ACTIVE_BOOKING_STATUSES_SQL})`;
