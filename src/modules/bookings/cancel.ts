import { eq } from 'drizzle-orm';
import { bookings, events } from '../../db/schema';
import type { CurrentUser, Database } from '../../env';
import { conflict, forbidden, notFound } from '../../http/errors';
import type { CancelReason } from './schemas';
import { ACTIVE_BOOKING_STATUSES_SQL, bookingMessages, runWithOutbox } from '../crm/outbox';
import { bookingJson, findBooking } from './read-model';
import { promoteNextWaitlisted, recountSeats } from './seats';

/** Active and not started: the condition under which a booking may still be cancelled, on `b` and `e`. */
const CANCELLABLE = `b.status IN ${ACTIVE_BOOKING_STATUSES_SQL} AND e.starts_at > ?`;

async function loadForCancel(db: Database, id: number) {
  const [row] = await db
    .select({ userId: bookings.userId, eventId: bookings.eventId, status: bookings.status, startsAt: events.startsAt })
    .from(bookings)
    .innerJoin(events, eq(events.id, bookings.eventId))
    .where(eq(bookings.id, id));
  return row;
}

/** The rules in the contract's order: missing 404, someone else's 403, cancelled 409, started 409. */
function assertCancellable(row: Awaited<ReturnType<typeof loadForCancel>>, actor: CurrentUser, now: Date) {
  if (!row) throw notFound('Booking not found');
  if (row.userId !== actor.id && actor.role !== 'admin') throw forbidden('You can only cancel your own bookings');
  if (row.status === 'cancelled') throw conflict('booking_already_cancelled', 'This booking is already cancelled');
  if (row.startsAt.getTime() <= now.getTime()) {
    throw conflict('event_started', 'The event has already started; the booking can no longer be cancelled');
  }
  return row;
}

/**
 * Cancels a booking (the row stays, with cancelled_at and the reason) in one batch with its `booking.cancelled`
 * message, the seat recount and the promotion of the earliest waitlisted booking into the freed seat.
 */
export async function cancelBooking(db: Database, input: { bookingId: number; actor: CurrentUser }) {
  let row = await loadForCancel(db, input.bookingId);
  for (let attempt = 1; attempt <= 2; attempt++) {
    const now = new Date();
    const cancellable = assertCancellable(row, input.actor, now);
    const reason: CancelReason = cancellable.userId === input.actor.id ? 'user_cancelled' : 'admin_cancelled';
    const { cancelled, messages } = await runCancelBatch(db.$client, input.bookingId, cancellable.eventId, reason, now);
    if (cancelled) {
      const booking = await findBooking(db, input.bookingId);
      if (!booking) throw notFound('Booking not found');
      return { booking: bookingJson(booking), messages };
    }
    // A concurrent cancel (or the start passing) won the race: re-read, so the rule that now applies answers.
    row = await loadForCancel(db, input.bookingId);
  }
  throw conflict('booking_already_cancelled', 'This booking is already cancelled');
}

async function runCancelBatch(d1: D1Database, bookingId: number, eventId: number, reason: CancelReason, now: Date) {
  const { results, messages } = await runWithOutbox(d1, [
    bookingMessages(d1, 'booking.cancelled', {
      where: `b.id = ? AND ${CANCELLABLE}`,
      params: [bookingId, now.getTime()],
      occurredAt: now,
      bookingStatus: 'cancelled',
      cancelReason: reason,
    }),
    d1
      .prepare(
        `UPDATE bookings SET status = 'cancelled', cancelled_at = ?1, cancel_reason = ?2, updated_at = ?1
         WHERE id = ?3 AND status IN ${ACTIVE_BOOKING_STATUSES_SQL}
           AND EXISTS (SELECT 1 FROM events e WHERE e.id = bookings.event_id AND e.starts_at > ?1)
         RETURNING id`,
      )
      .bind(now.getTime(), reason, bookingId),
    recountSeats(d1, eventId),
    ...promoteNextWaitlisted(d1, eventId, now),
  ]);
  return { cancelled: (results[1]?.results.length ?? 0) > 0, messages };
}
