import { env } from 'cloudflare:workers';
import { hmacSha256Hex } from '../../src/lib/crypto';
import { recordRazorpayPayment } from './fake-providers';
import { call } from './http';

/** What the payment providers send and sign: Checkout results, webhooks, their events. */

/** A valid `Stripe-Signature` header, as Stripe builds it: `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`. */
export async function stripeSignatureHeader(secret: string, rawBody: string, timestamp = Math.floor(Date.now() / 1000)) {
  return `t=${timestamp},v1=${await hmacSha256Hex(secret, `${timestamp}.${rawBody}`)}`;
}

/**
 * What Razorpay Checkout hands the client after a successful payment; the payment is also recorded with the fake
 * Razorpay (captured, for the order's amount), as the real one would have it when /confirm-booking reads it back.
 */
export async function razorpayCheckoutResult(
  orderId: string,
  paymentId = `pay_${crypto.randomUUID().replaceAll('-', '').slice(0, 14)}`,
) {
  recordRazorpayPayment(paymentId, orderId);
  return {
    razorpay_order_id: orderId,
    razorpay_payment_id: paymentId,
    razorpay_signature: await hmacSha256Hex(env.RAZORPAY_KEY_SECRET, `${orderId}|${paymentId}`),
  };
}

/** Posts a webhook signed as Razorpay does: hex HMAC-SHA256 of the raw body with the webhook secret. */
export async function razorpayWebhook(
  body: unknown,
  eventId = `evt_${crypto.randomUUID().slice(0, 12)}`,
  secret = env.RAZORPAY_WEBHOOK_SECRET,
) {
  const raw = JSON.stringify(body);
  return call('POST', '/payment-webhook', {
    raw,
    headers: {
      'Content-Type': 'application/json',
      'X-Razorpay-Signature': await hmacSha256Hex(secret, raw),
      'X-Razorpay-Event-Id': eventId,
    },
  });
}

/** Posts a webhook signed as Stripe does (`t=...,v1=...`). */
export async function stripeWebhook(body: unknown, timestamp?: number, secret = env.STRIPE_WEBHOOK_SECRET) {
  const raw = JSON.stringify(body);
  return call('POST', '/payment-webhook', {
    raw,
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': await stripeSignatureHeader(secret, raw, timestamp) },
  });
}

export const razorpayPaymentEvent = (
  event: string,
  payment: { id: string; order_id: string; amount: number; currency?: string },
) => ({
  entity: 'event',
  account_id: 'acc_test',
  event,
  contains: ['payment'],
  payload: {
    payment: {
      entity: { entity: 'payment', status: event === 'payment.failed' ? 'failed' : 'captured', currency: 'INR', ...payment },
    },
  },
  created_at: Math.floor(Date.now() / 1000),
});

export const stripeEvent = (type: string, object: Record<string, unknown>) => ({
  id: `evt_${crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`,
  object: 'event',
  type,
  api_version: '2024-06-20',
  created: Math.floor(Date.now() / 1000),
  data: { object },
});

/** Stripe's `payment_intent.succeeded` for an intent of `amount` in INR, as Stripe sends it. */
export const stripeIntentSucceeded = (intentId: string, amount = 49900) =>
  stripeEvent('payment_intent.succeeded', {
    id: intentId,
    object: 'payment_intent',
    amount,
    amount_received: amount,
    currency: 'inr',
    status: 'succeeded',
  });
