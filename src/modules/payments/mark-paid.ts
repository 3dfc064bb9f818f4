import { isUniqueViolationOn } from '../../db/errors';
import { conflict } from '../../http/errors';
import { bookingMessages, runWithOutbox, type BatchStep } from '../crm/outbox';
import { recountSeats } from '../bookings/seats';

/**
 * Confirms a held booking as paid, in one batch with its `booking.paid` message: only while it is still
 * `pending_payment` (a webhook and a client confirm racing cannot both win) and, for the client's confirm, only
 * while the hold has not expired. A payment id already recorded on another booking is 409 (unique index).
 */
export async function markPaid(
  d1: D1Database,
  input: { bookingId: number; eventId: number; paymentId: string; requireUnexpired: boolean },
  now = new Date(),
  /** Statements that must commit with the confirmation (the webhook's event record). */
  before: BatchStep[] = [],
) {
  try {
    const { results, messages } = await runWithOutbox(d1, [
      ...before,
      d1
        .prepare(
          `UPDATE bookings SET status = 'confirmed', is_paid = 1, payment_id = ?1, amount_paid = amount_due,
             hold_expires_at = NULL, updated_at = ?2
           WHERE id = ?3 AND status = 'pending_payment' AND (?4 = 0 OR hold_expires_at > ?2)
           RETURNING id`,
        )
        .bind(input.paymentId, now.getTime(), input.bookingId, input.requireUnexpired ? 1 : 0),
      bookingMessages(d1, 'booking.paid', {
        where: 'changes() = 1 AND b.id = ?',
        params: [input.bookingId],
        occurredAt: now,
        extra: { payment_status: 'paid', payment_id: input.paymentId },
      }),
      recountSeats(d1, input.eventId),
    ]);
    return { confirmed: (results[before.length]?.results.length ?? 0) > 0, messages };
  } catch (error) {
    if (isUniqueViolationOn(error, 'bookings.payment_id'))
      throw conflict('payment_already_used', 'This payment has already been used for another booking');
    throw error;
  }
}
