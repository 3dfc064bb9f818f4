import { eq } from 'drizzle-orm';
import { bookings } from '../../db/schema';
import type { CurrentUser, Database } from '../../env';
import { ApiError } from '../../http/errors';
import { Batch } from '../../db/batch';
import { bookingJsonById } from '../bookings/read-model';
import { commit } from '../crm/outbox';
import { markPaid, paymentAlreadyUsed, RELEASED_HOLD_REASONS } from './mark-paid';
import { fetchRazorpayPayment, verifyRazorpayPaymentSignature } from './razorpay';
import { refundOrphanPayment } from './refund';
import type { PaymentSettings } from './settings';
import { retrieveStripePaymentIntent } from './stripe';

const verificationFailed = (why: string) =>
  new ApiError('payment_verification_failed', `The payment could not be verified: ${why}`);

type HeldBooking = typeof bookings.$inferSelect;

/** The customer's proof of payment: Razorpay Checkout's three fields, or a Stripe PaymentIntent id. */
export type PaymentProof =
  | { booking_id: number; razorpay_order_id: string; razorpay_payment_id: string; razorpay_signature: string }
  | { booking_id: number; payment_intent_id: string };

/** What a payment is checked against: the order made for a booking or a pass purchase. */
export type PaidOrder = Pick<HeldBooking, 'paymentProvider' | 'paymentOrderId' | 'amountDue' | 'currency'>;

/** The customer's proof without the booking id (a pass purchase names its id in the path). */
export type ProviderProof =
  { razorpay_order_id: string; razorpay_payment_id: string; razorpay_signature: string } | { payment_intent_id: string };

/** Server-side proof that the customer paid this order, whatever the client claims. Returns the payment id. */
export async function verifyPayment(settings: PaymentSettings, booking: PaidOrder, body: ProviderProof): Promise<string> {
  if ('razorpay_order_id' in body) {
    if (booking.paymentProvider !== 'razorpay') throw verificationFailed('this booking is not paid through Razorpay');
    if (body.razorpay_order_id !== booking.paymentOrderId)
      throw verificationFailed('the order is not the one created for this booking');
    const valid = await verifyRazorpayPaymentSignature(
      settings.razorpay,
      booking.paymentOrderId!,
      body.razorpay_payment_id,
      body.razorpay_signature,
    );
    if (!valid) throw verificationFailed('the signature does not match');
    // The signature proves Checkout said so; Razorpay itself must agree that this payment of this order was captured,
    // for the amount and currency the order was made for.
    const payment = await fetchRazorpayPayment(settings.razorpay, body.razorpay_payment_id);
    if (payment.status !== 'captured') throw verificationFailed(`the payment is ${String(payment.status)}, not captured`);
    if (payment.order_id !== booking.paymentOrderId) throw verificationFailed('the payment belongs to another order');
    if (payment.amount !== booking.amountDue || String(payment.currency).toUpperCase() !== booking.currency) {
      throw verificationFailed('the amount or currency differs from the booking');
    }
    return body.razorpay_payment_id;
  }
  if (booking.paymentProvider !== 'stripe') throw verificationFailed('this booking is not paid through Stripe');
  if (body.payment_intent_id !== booking.paymentOrderId)
    throw verificationFailed('the PaymentIntent is not the one created for this booking');
  const intent = await retrieveStripePaymentIntent(settings.stripe, body.payment_intent_id);
  if (intent.status !== 'succeeded') throw verificationFailed(`the PaymentIntent is ${intent.status}`);
  if (intent.amount !== booking.amountDue || intent.currency.toUpperCase() !== booking.currency) {
    throw verificationFailed('the amount or currency differs from the booking');
  }
  return intent.id;
}

/**
 * POST /confirm-booking: verifies the payment with the provider's proof and confirms the held booking. Confirming
 * again with the same payment answers the same booking; a hold that expired is refused (409) and the payment the
 * customer made anyway is refunded.
 */
export async function confirmPayment(
  db: Database,
  crm: Queue,
  settings: PaymentSettings,
  actor: CurrentUser,
  body: PaymentProof,
) {
  const booking = await db.query.bookings.findFirst({ where: eq(bookings.id, body.booking_id) });
  if (!booking) throw new ApiError('not_found', 'Booking not found');
  if (booking.userId !== actor.id) throw new ApiError('forbidden', 'This booking is not yours');
  if (booking.isPaid) {
    const presented = 'razorpay_payment_id' in body ? body.razorpay_payment_id : body.payment_intent_id;
    if (booking.paymentId !== presented)
      throw new ApiError('booking_already_paid', 'This booking is already paid with another payment');
    return bookingJsonById(db, booking.id, 'owner');
  }
  const released = RELEASED_HOLD_REASONS.includes(booking.cancelReason ?? '');
  if (booking.status !== 'pending_payment' && !released) {
    throw new ApiError('booking_not_payable', `This booking is ${booking.status}; only a held booking can be paid`);
  }
  const paymentId = await verifyPayment(settings, booking, body);
  const batch = new Batch(db.$client);
  const confirmed = markPaid(
    batch,
    { bookingId: booking.id, eventId: booking.eventId, paymentId, requireUnexpired: true },
    new Date(),
  );
  const result = await commit(batch, crm).catch(paymentAlreadyUsed);
  if (!confirmed(result)) {
    await refundOrphanPayment(db, crm, settings, { booking, paymentId });
    throw new ApiError(
      'payment_hold_expired',
      'The seat hold expired before the payment was confirmed; the payment will be refunded',
    );
  }
  return bookingJsonById(db, booking.id, 'owner');
}
