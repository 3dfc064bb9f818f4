import type { Batch, BatchResult } from '../../db/batch';
import { releaseExpiredHolds } from '../bookings/cancel';
import { isUniqueViolationOn } from '../../db/errors';
import { ApiError } from '../../http/errors';
import { eventHasFreeSeat, holdsActiveBooking, recountSeats } from '../bookings/seats';
import { bookingMessages } from '../crm/outbox';

/** Why a hold was given back, from which a payment that still arrives may buy the seat again. */
export const RELEASED_HOLD_REASONS: readonly string[] = ['payment_expired', 'payment_failed', 'payment_cancelled'];
const RELEASED_HOLD_REASONS_SQL = `(${RELEASED_HOLD_REASONS.map((reason) => `'${reason}'`).join(', ')})`;

/**
 * Confirms a booking as paid, with its `booking.paid` message, in the caller's batch. A held booking is confirmed
 * only while it is still `pending_payment` (a webhook and a client confirm racing cannot both win) and, for the
 * client's confirm, while the hold has not expired. A payment for a hold already given back (expired, failed or
 * cancelled) still buys the seat when one is free and the customer holds no other booking of the event; otherwise it
 * buys nothing and the caller refunds it. Returns whether the batch, once run, confirmed the booking.
 */
export function markPaid(
  batch: Batch,
  input: { bookingId: number; eventId: number; paymentId: string; requireUnexpired: boolean },
  now: Date,
): (result: BatchResult) => boolean {
  const held = batch.sql<{ id: number }>(
    `UPDATE bookings SET status = 'confirmed', is_paid = 1, payment_id = ?1, amount_paid = amount_due,
       hold_expires_at = NULL, updated_at = ?2
     WHERE id = ?3 AND status = 'pending_payment' AND (?4 = 0 OR hold_expires_at > ?2)
     RETURNING id`,
    input.paymentId,
    now.getTime(),
    input.bookingId,
    input.requireUnexpired ? 1 : 0,
  );
  paidMessage(batch, input, now);
  recountSeats(batch, input.eventId);
  // Too late for the hold: the seat is counted fresh (expired holds given back), then taken again if it is free.
  releaseExpiredHolds(batch, input.eventId, now, null);
  const reseated = batch.sql<{ id: number }>(
    `UPDATE bookings SET status = 'confirmed', is_paid = 1, payment_id = ?1, amount_paid = amount_due,
       hold_expires_at = NULL, cancelled_at = NULL, cancel_reason = NULL, updated_at = ?2
     WHERE id = ?3 AND status = 'cancelled' AND is_paid = 0 AND refund_id IS NULL
       AND cancel_reason IN ${RELEASED_HOLD_REASONS_SQL}
       AND ${eventHasFreeSeat('bookings.event_id', '?2')}
       AND NOT ${holdsActiveBooking('bookings.user_id', 'bookings.event_id')}
     RETURNING id`,
    input.paymentId,
    now.getTime(),
    input.bookingId,
  );
  paidMessage(batch, input, now);
  recountSeats(batch, input.eventId);
  return (result) => result.rows(held).length + result.rows(reseated).length > 0;
}

/** `booking.paid`, only if the UPDATE just before it confirmed the booking. */
function paidMessage(batch: Batch, input: { bookingId: number; paymentId: string }, now: Date) {
  bookingMessages(batch, 'booking.paid', {
    where: 'changes() = 1 AND b.id = ?',
    params: [input.bookingId],
    occurredAt: now,
    extra: { payment_status: 'paid', payment_id: input.paymentId },
  });
}

/** A payment id already recorded on another booking (unique index) is 409 payment_already_used. */
export function paymentAlreadyUsed(error: unknown): never {
  if (isUniqueViolationOn(error, 'bookings.payment_id')) {
    throw new ApiError('payment_already_used', 'This payment has already been used for another booking');
  }
  throw error;
}
