import { z } from 'zod';
import { PAYMENT_PROVIDERS } from '../../db/schema';
import { bookingSchema } from '../bookings/schemas';
import { positiveId } from '../../http/params';

const providerId = (prefix: string) =>
  z
    .string()
    .trim()
    .min(prefix.length + 1)
    .max(100)
    .regex(/^[A-Za-z0-9_]+$/, 'Must be a provider id');

/** A voucher code (3-40 characters, any case). */
export const voucherCode = z.string().trim().min(3).max(40).describe('A voucher code: the amount is reduced');

/** POST /bookings/:id/claim: which provider the hold's order is made with. */
export const claimBody = z
  .object({ provider: z.enum(PAYMENT_PROVIDERS), voucher_code: voucherCode.optional() })
  .meta({ id: 'ClaimOffer' });

export const createPaymentBody = z.object({
  event_id: positiveId,
  provider: z.enum(PAYMENT_PROVIDERS),
  voucher_code: voucherCode.optional(),
});

export const razorpayConfirmBody = z.object({
  booking_id: positiveId,
  razorpay_order_id: providerId('order_'),
  razorpay_payment_id: providerId('pay_'),
  razorpay_signature: z
    .string()
    .trim()
    .regex(/^[0-9a-fA-F]{64}$/, 'Must be a hex HMAC-SHA256 signature'),
});

export const stripeConfirmBody = z.object({
  booking_id: positiveId,
  payment_intent_id: providerId('pi_'),
});

/** Razorpay's Checkout fields, or a Stripe PaymentIntent id: the shape says which provider confirms. */
export const confirmBookingBody = z.union([razorpayConfirmBody, stripeConfirmBody]);

export const paymentSchema = z
  .object({
    provider: z.enum(PAYMENT_PROVIDERS),
    order_id: z.string().optional().describe('Razorpay: the order id for Checkout'),
    key_id: z.string().optional().describe('Razorpay: the public key id for Checkout'),
    payment_intent_id: z.string().optional().describe('Stripe: the PaymentIntent id to send to /confirm-booking'),
    client_secret: z.string().optional().describe('Stripe: for stripe.confirmPayment on the client'),
    amount: z.number().int().describe('Minor units (paise, cents)'),
    currency: z.string(),
    expires_at: z.string().describe('When the seat hold ends if the payment is not confirmed'),
  })
  .meta({ id: 'Payment' });

export const createPaymentAnswer = z.object({
  booking: bookingSchema,
  payment: paymentSchema.nullable().describe('null when a voucher brought the amount to 0: the booking is confirmed at once'),
});
export const confirmBookingAnswer = z.object({ msg: z.literal('Booking confirmed'), booking: bookingSchema });
export const webhookAnswer = z.object({ received: z.literal(true), duplicate: z.boolean() });

/** The proof of a pass purchase: the same fields as /confirm-booking, the purchase named in the path. */
export const confirmPurchaseBody = z
  .union([razorpayConfirmBody.omit({ booking_id: true }), stripeConfirmBody.omit({ booking_id: true })])
  .meta({ id: 'PassPurchaseConfirm' });
