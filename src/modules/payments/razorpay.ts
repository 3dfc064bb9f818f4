import { verifyHmacSha256Hex } from '../../lib/crypto';
import { callProvider } from './provider';

/** Razorpay's REST API (orders, refunds) and its two signatures, per Razorpay's documentation. */
export interface RazorpaySettings {
  apiUrl: string;
  keyId: string;
  keySecret: string;
  webhookSecret: string;
}

export function razorpaySettings(env: Env): RazorpaySettings {
  return {
    apiUrl: env.RAZORPAY_API_URL.replace(/\/+$/, ''),
    keyId: env.RAZORPAY_KEY_ID,
    keySecret: env.RAZORPAY_KEY_SECRET,
    webhookSecret: env.RAZORPAY_WEBHOOK_SECRET,
  };
}

export interface RazorpayOrder {
  id: string;
  entity: 'order';
  amount: number;
  currency: string;
  receipt: string | null;
  status: string;
}

export interface RazorpayPayment {
  id: string;
  entity: 'payment';
  amount: number;
  currency: string;
  status: string;
  order_id: string | null;
}

export interface RazorpayRefund {
  id: string;
  entity: 'refund';
  amount: number;
  payment_id: string;
  status: string;
}

const authHeader = (s: RazorpaySettings) => `Basic ${btoa(`${s.keyId}:${s.keySecret}`)}`;

export function createRazorpayOrder(
  s: RazorpaySettings,
  input: { amount: number; currency: string; receipt: string; bookingId: number; noteKey?: 'booking_id' | 'pass_purchase_id' },
) {
  return callProvider<RazorpayOrder>('razorpay', `${s.apiUrl}/v1/orders`, {
    method: 'POST',
    headers: { Authorization: authHeader(s), 'Content-Type': 'application/json' },
    body: JSON.stringify({
      amount: input.amount,
      currency: input.currency,
      receipt: input.receipt,
      notes: { [input.noteKey ?? 'booking_id']: String(input.bookingId) },
    }),
  });
}

/** A payment as Razorpay has it: what /confirm-booking checks before believing Checkout's answer. */
export function fetchRazorpayPayment(s: RazorpaySettings, paymentId: string) {
  return callProvider<RazorpayPayment>('razorpay', `${s.apiUrl}/v1/payments/${encodeURIComponent(paymentId)}`, {
    method: 'GET',
    headers: { Authorization: authHeader(s) },
  });
}

export function refundRazorpayPayment(s: RazorpaySettings, paymentId: string, input: { amount: number; bookingId: number }) {
  return callProvider<RazorpayRefund>('razorpay', `${s.apiUrl}/v1/payments/${encodeURIComponent(paymentId)}/refund`, {
    method: 'POST',
    headers: { Authorization: authHeader(s), 'Content-Type': 'application/json' },
    body: JSON.stringify({ amount: input.amount, notes: { booking_id: String(input.bookingId) } }),
  });
}

/** Checkout's `razorpay_signature`: HMAC-SHA256 of `order_id|payment_id` with the key secret. */
export function verifyRazorpayPaymentSignature(s: RazorpaySettings, orderId: string, paymentId: string, signature: string) {
  return verifyHmacSha256Hex(s.keySecret, `${orderId}|${paymentId}`, signature);
}

/** Webhooks: `X-Razorpay-Signature` is the HMAC-SHA256 of the raw body with the webhook secret. */
export function verifyRazorpayWebhook(s: RazorpaySettings, rawBody: string, signature: string | undefined) {
  if (!signature || !s.webhookSecret) return Promise.resolve(false);
  return verifyHmacSha256Hex(s.webhookSecret, rawBody, signature);
}
