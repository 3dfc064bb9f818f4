import { and, asc, eq, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import { Batch } from '../../db/batch';
import { bookings, type BookingRow } from '../../db/schema';
import type { Database } from '../../env';
import { cancelBookings } from '../bookings/cancel';
import { bookingMessages, commit } from '../crm/outbox';
import { refundRazorpayPayment } from './razorpay';
import type { PaymentSettings } from './settings';
import { refundStripePayment } from './stripe';

/** Asks the booking's provider to refund `amount` of `paymentId`; returns the provider's refund id. */
async function requestRefund(settings: PaymentSettings, booking: BookingRow, paymentId: string, amount: number) {
  if (booking.paymentProvider === 'razorpay') {
    return (await refundRazorpayPayment(settings.razorpay, paymentId, { amount, bookingId: booking.id })).id;
  }
  const idempotencyKey = booking.paymentIdempotencyKey;
  return (await refundStripePayment(settings.stripe, paymentId, { amount, bookingId: booking.id, idempotencyKey })).id;
}

/** Attempts before a refund is given up to an operator; the waits between them double from 5 minutes to 6 hours. */
export const MAX_REFUND_ATTEMPTS = 10;
const FIRST_RETRY_MS = 5 * 60_000;
const LONGEST_RETRY_MS = 6 * 3_600_000;

export function refundRetryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), LONGEST_RETRY_MS);
}

/**
 * A refund the provider refused: counted, and due again after a growing wait, so a few refunds that always fail never
 * hold up the rest of the cron's queue. The last attempt marks it failed and logs an error an operator must act on.
 */
async function recordRefundFailure(db: Database, booking: BookingRow, error: unknown, now: Date) {
  const attempts = booking.refundAttempts + 1;
  const givenUp = attempts >= MAX_REFUND_ATTEMPTS;
  await db.$client
    .prepare(
      `UPDATE bookings SET refund_attempts = ?1, refund_retry_at = ?2, refund_failed_at = ?3, updated_at = ?4
       WHERE id = ?5 AND refund_id IS NULL`,
    )
    .bind(attempts, now.getTime() + refundRetryDelayMs(attempts), givenUp ? now.getTime() : null, now.getTime(), booking.id)
    .run();
  const entry = { booking_id: booking.id, payment_id: booking.paymentId, attempts, error: String(error) };
  if (givenUp) console.error(JSON.stringify({ level: 'error', msg: 'refund failed for good; refund it by hand', ...entry }));
  else console.warn(JSON.stringify({ level: 'warn', msg: 'refund failed; the cron will retry', ...entry }));
}

/** `booking.refunded`, written only if the statement just before it recorded the refund (changes() is its count). */
export function refundedMessage(batch: Batch, bookingId: number, paymentId: string, now: Date) {
  bookingMessages(batch, 'booking.refunded', {
    where: 'changes() = 1 AND b.id = ?',
    params: [bookingId],
    occurredAt: now,
    extra: { payment_status: 'refunded', payment_id: paymentId },
  });
}

/**
 * What a cancelled booking is owed: what its cancel decided (refund_amount, by the cancellation policy), else, for a
 * payment that arrived after its hold was released, all of it.
 */
export const refundAmountOf = (booking: BookingRow) => booking.refundAmount ?? booking.amountPaid ?? booking.amountDue ?? 0;

/**
 * Refunds a cancelled booking that holds a payment (paid and then cancelled, or paid after its hold expired) and
 * records it with its `booking.refunded` message, once: the record is conditional on no refund being recorded yet.
 * A provider failure is logged and left to the cron. True when this call recorded the refund.
 */
export async function refundBooking(db: Database, crm: Queue, settings: PaymentSettings, bookingId: number) {
  const booking = await db.query.bookings.findFirst({ where: eq(bookings.id, bookingId) });
  if (!booking || booking.status !== 'cancelled' || booking.refundId || !booking.paymentId) return false;
  const amount = refundAmountOf(booking);
  if (amount <= 0) return false; // a late cancel whose policy refunds nothing
  let refundId: string;
  try {
    refundId = await requestRefund(settings, booking, booking.paymentId, amount);
  } catch (error) {
    await recordRefundFailure(db, booking, error, new Date());
    return false;
  }
  const now = new Date();
  const batch = new Batch(db.$client);
  const recorded = batch.sql(
    `UPDATE bookings SET refund_id = ?1, refunded_at = ?2, updated_at = ?2 WHERE id = ?3 AND refund_id IS NULL`,
    refundId,
    now.getTime(),
    booking.id,
  );
  refundedMessage(batch, booking.id, booking.paymentId, now);
  return (await commit(batch, crm)).changes(recorded) > 0;
}

/**
 * A payment that arrived for a hold that had already expired cannot buy the seat any more: it is recorded on the
 * (released) booking, whose seat is given back if the cron had not done so yet, and refunded in full.
 */
export async function refundOrphanPayment(
  db: Database,
  crm: Queue,
  settings: PaymentSettings,
  input: { booking: BookingRow; paymentId: string },
) {
  const batch = new Batch(db.$client);
  cancelBookings(batch, {
    where: 'b.id = ? AND b.is_paid = 0',
    params: [input.booking.id],
    seats: input.booking.eventId,
    reason: 'payment_expired',
    now: new Date(),
    alsoSet: { sql: 'payment_id = coalesce(payment_id, ?)', params: [input.paymentId] },
  });
  await batch.run();
  return refundBooking(db, crm, settings, input.booking.id);
}

const REFUND_RETRY_LIMIT = 20;

/**
 * Cron: cancelled bookings holding a payment whose refund is not recorded (an event cancellation, a provider failure,
 * a payment that came after its hold was released), the longest due first; failed-for-good ones are left out, and so
 * are late cancels that the policy refunds nothing.
 */
export async function retryPendingRefunds(db: Database, crm: Queue, settings: PaymentSettings, now = new Date()) {
  const pending = await db
    .select({ id: bookings.id })
    .from(bookings)
    .where(
      and(
        eq(bookings.status, 'cancelled'),
        isNotNull(bookings.paymentId),
        isNull(bookings.refundId),
        isNull(bookings.refundFailedAt),
        sql`coalesce(${bookings.refundAmount}, 1) > 0`,
        or(isNull(bookings.refundRetryAt), lte(bookings.refundRetryAt, now)),
      ),
    )
    .orderBy(sql`coalesce(${bookings.refundRetryAt}, 0)`, asc(bookings.id))
    .limit(REFUND_RETRY_LIMIT);
  let refunded = 0;
  for (const { id } of pending) if (await refundBooking(db, crm, settings, id)) refunded++;
  return refunded;
}
