import type { Batch, StepRef } from '../../db/batch';
import { isUniqueViolationOn } from '../../db/errors';
import { ApiError } from '../../http/errors';
import { recountSeats } from '../bookings/seats';
import { bookingMessages } from '../crm/outbox';

/**
 * Confirms a held booking as paid, with its `booking.paid` message, in the caller's batch: only while it is still
 * `pending_payment` (a webhook and a client confirm racing cannot both win) and, for the client's confirm, only while
 * the hold has not expired. Returns the UPDATE's step: a row means it was confirmed.
 */
export function markPaid(
  batch: Batch,
  input: { bookingId: number; eventId: number; paymentId: string; requireUnexpired: boolean },
  now: Date,
): StepRef<{ id: number }> {
  const confirmed = batch.sql<{ id: number }>(
    `UPDATE bookings SET status = 'confirmed', is_paid = 1, payment_id = ?1, amount_paid = amount_due,
       hold_expires_at = NULL, updated_at = ?2
     WHERE id = ?3 AND status = 'pending_payment' AND (?4 = 0 OR hold_expires_at > ?2)
     RETURNING id`,
    input.paymentId,
    now.getTime(),
    input.bookingId,
    input.requireUnexpired ? 1 : 0,
  );
  bookingMessages(batch, 'booking.paid', {
    where: 'changes() = 1 AND b.id = ?',
    params: [input.bookingId],
    occurredAt: now,
    extra: { payment_status: 'paid', payment_id: input.paymentId },
  });
  recountSeats(batch, input.eventId);
  return confirmed;
}

/** A payment id already recorded on another booking (unique index) is 409 payment_already_used. */
export function paymentAlreadyUsed(error: unknown): never {
  if (isUniqueViolationOn(error, 'bookings.payment_id')) {
    throw new ApiError('payment_already_used', 'This payment has already been used for another booking');
  }
  throw error;
}
