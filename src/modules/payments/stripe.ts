import { constantTimeEqual } from '../../lib/constant-time';
import { hmacSha256Hex } from '../../lib/crypto';
import { callProvider } from './provider';

/** Stripe's REST API (PaymentIntents, refunds; form-encoded) and its webhook signature scheme. */
export interface StripeSettings {
  apiUrl: string;
  secretKey: string;
  webhookSecret: string;
}

export function stripeSettings(env: Env): StripeSettings {
  return {
    apiUrl: env.STRIPE_API_URL.replace(/\/+$/, ''),
    secretKey: env.STRIPE_SECRET_KEY,
    webhookSecret: env.STRIPE_WEBHOOK_SECRET,
  };
}

export interface StripePaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received?: number;
  currency: string;
  status: string;
  client_secret?: string;
  metadata?: Record<string, string>;
}

export interface StripeRefund {
  id: string;
  object: 'refund';
  amount: number;
  payment_intent: string;
  status: string;
}

const headers = (s: StripeSettings, idempotencyKey?: string) => ({
  Authorization: `Bearer ${s.secretKey}`,
  'Content-Type': 'application/x-www-form-urlencoded',
  ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
});

/**
 * `idempotencyKey` is the hold's own random key (bookings.payment_idempotency_key): a key derived from the booking id
 * would, after a database restore or in another environment sharing the Stripe account, replay another hold's intent.
 */
export function createStripePaymentIntent(
  s: StripeSettings,
  input: {
    amount: number;
    currency: string;
    bookingId: number;
    idempotencyKey: string;
    metadataKey?: 'booking_id' | 'pass_purchase_id';
  },
) {
  const body = new URLSearchParams({
    amount: String(input.amount),
    currency: input.currency.toLowerCase(),
    [`metadata[${input.metadataKey ?? 'booking_id'}]`]: String(input.bookingId),
    'automatic_payment_methods[enabled]': 'true',
  });
  return callProvider<StripePaymentIntent>('stripe', `${s.apiUrl}/v1/payment_intents`, {
    method: 'POST',
    headers: headers(s, `${input.idempotencyKey}:intent`),
    body,
  });
}

export function retrieveStripePaymentIntent(s: StripeSettings, id: string) {
  return callProvider<StripePaymentIntent>('stripe', `${s.apiUrl}/v1/payment_intents/${encodeURIComponent(id)}`, {
    method: 'GET',
    headers: { Authorization: `Bearer ${s.secretKey}` },
  });
}

export function refundStripePayment(
  s: StripeSettings,
  paymentIntentId: string,
  input: { amount: number; bookingId: number; idempotencyKey: string | null },
) {
  const body = new URLSearchParams({
    payment_intent: paymentIntentId,
    amount: String(input.amount),
    'metadata[booking_id]': String(input.bookingId),
  });
  return callProvider<StripeRefund>('stripe', `${s.apiUrl}/v1/refunds`, {
    method: 'POST',
    // Holds from before keys were stored keep their old refund key, so a retried refund is still recognised.
    headers: headers(s, input.idempotencyKey ? `${input.idempotencyKey}:refund` : `booking-${input.bookingId}-refund`),
    body,
  });
}

export const STRIPE_SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]`: v1 is the HMAC-SHA256 of `${t}.${rawBody}` with the endpoint secret.
 * Any matching v1 is accepted (Stripe sends several while a secret is being rolled); `t` must be within the tolerance.
 */
export async function verifyStripeWebhook(s: StripeSettings, rawBody: string, header: string | undefined, nowMs = Date.now()) {
  if (!header || !s.webhookSecret) return false;
  const parts = header.split(',').map((part) => part.trim().split('=') as [string, string | undefined]);
  const timestamp = Number(parts.find(([key]) => key === 't')?.[1]);
  const signatures = parts.filter(([key, value]) => key === 'v1' && value).map(([, value]) => value!.toLowerCase());
  if (!Number.isInteger(timestamp) || signatures.length === 0) return false;
  if (Math.abs(nowMs / 1000 - timestamp) > STRIPE_SIGNATURE_TOLERANCE_SECONDS) return false;
  const expected = await hmacSha256Hex(s.webhookSecret, `${timestamp}.${rawBody}`);
  let matched = false;
  for (const signature of signatures) matched = constantTimeEqual(expected, signature) || matched;
  return matched;
}
