import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import { bookings, type BookingRow } from '../../db/schema';
import type { Database } from '../../env';
import type { CrmNotification } from '../crm/messages';
import { bookingMessages, runWithOutbox } from '../crm/outbox';
import { recountSeats } from '../bookings/seats';
import { refundRazorpayPayment } from './razorpay';
import type { PaymentSettings } from './settings';
import { refundStripePayment } from './stripe';

/** Asks the booking's provider to refund `amount` of `paymentId`; returns the provider's refund id. */
async function requestRefund(settings: PaymentSettings, booking: BookingRow, paymentId: string, amount: number) {
  if (booking.paymentProvider === 'razorpay') {
    return (await refundRazorpayPayment(settings.razorpay, paymentId, { amount, bookingId: booking.id })).id;
  }
  return (await refundStripePayment(settings.stripe, paymentId, { amount, bookingId: booking.id })).id;
}

function logRefundFailure(bookingId: number, error: unknown) {
  console.warn(
    JSON.stringify({ level: 'warn', msg: 'refund failed; the cron will retry', booking_id: bookingId, error: String(error) }),
  );
}

/**
 * Refunds a cancelled booking that holds a payment (paid and then cancelled, or paid after its hold expired) and
 * records it with its `booking.refunded` message, once: the record is conditional on no refund being recorded yet.
 * A provider failure is logged and left to the cron.
 */
export async function refundBooking(db: Database, settings: PaymentSettings, bookingId: number): Promise<CrmNotification[]> {
  const booking = await db.query.bookings.findFirst({ where: eq(bookings.id, bookingId) });
  if (!booking || booking.status !== 'cancelled' || booking.refundId || !booking.paymentId) return [];
  let refundId: string;
  try {
    refundId = await requestRefund(settings, booking, booking.paymentId, booking.amountPaid ?? booking.amountDue ?? 0);
  } catch (error) {
    logRefundFailure(booking.id, error);
    return [];
  }
  const now = new Date();
  const d1 = db.$client;
  const { messages } = await runWithOutbox(d1, [
    d1
      .prepare(`UPDATE bookings SET refund_id = ?1, refunded_at = ?2, updated_at = ?2 WHERE id = ?3 AND refund_id IS NULL`)
      .bind(refundId, now.getTime(), booking.id),
    bookingMessages(d1, 'booking.refunded', {
      where: 'changes() = 1 AND b.id = ?',
      params: [booking.id],
      occurredAt: now,
      extra: { payment_status: 'refunded', payment_id: booking.paymentId },
    }),
  ]);
  return messages;
}

/**
 * A payment that arrived for a hold that had already expired cannot buy the seat any more: it is recorded on the
 * (released) booking, whose seat is given back if the cron had not done so yet, and refunded in full.
 */
export async function refundOrphanPayment(
  db: Database,
  settings: PaymentSettings,
  input: { booking: BookingRow; paymentId: string },
) {
  const now = Date.now();
  const d1 = db.$client;
  await d1.batch([
    d1
      .prepare(
        `UPDATE bookings SET status = 'cancelled', cancelled_at = coalesce(cancelled_at, ?1),
           cancel_reason = coalesce(cancel_reason, 'payment_expired'), payment_id = coalesce(payment_id, ?2), updated_at = ?1
         WHERE id = ?3 AND is_paid = 0`,
      )
      .bind(now, input.paymentId, input.booking.id),
    recountSeats(d1, input.booking.eventId),
  ]);
  return refundBooking(db, settings, input.booking.id);
}

const REFUND_RETRY_LIMIT = 20;

/** Cron: cancelled bookings holding a payment whose refund is not recorded (a provider failure, an event cancellation). */
export async function retryPendingRefunds(db: Database, settings: PaymentSettings): Promise<CrmNotification[]> {
  const pending = await db
    .select({ id: bookings.id })
    .from(bookings)
    .where(
      and(eq(bookings.status, 'cancelled'), eq(bookings.isPaid, true), isNull(bookings.refundId), isNotNull(bookings.paymentId)),
    )
    .limit(REFUND_RETRY_LIMIT);
  const messages: CrmNotification[] = [];
  for (const { id } of pending) messages.push(...(await refundBooking(db, settings, id)));
  return messages;
}
