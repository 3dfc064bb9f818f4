import type { Provider } from './hold';
import { paymentProviderUnavailable } from './provider';
import { createRazorpayOrder } from './razorpay';
import type { PaymentSettings } from './settings';
import { createStripePaymentIntent } from './stripe';

/** What an order pays for, as the provider's notes/metadata name it: a booking's hold, or a pass purchase. */
export type OrderReference = { kind: 'booking' | 'pass_purchase'; id: number };

export interface ProviderOrder {
  orderId: string;
  /** Stripe: for stripe.confirmPayment on the client. */
  clientSecret?: string;
}

/** The provider's order id, or 502: a 2xx answer without one (or with junk in it) must not become a payable order. */
function providerId(id: unknown, provider: Provider): string {
  if (typeof id === 'string' && /^[\w-]{1,255}$/.test(id)) return id;
  throw paymentProviderUnavailable(provider, 'answer without a usable order id');
}

/**
 * Creates the order a customer pays on the client: a Razorpay order (receipt `booking-<id>` or `pass-<id>`), or a
 * Stripe PaymentIntent under `idempotencyKey` (the caller's random key, stored on its row). Provider errors pass on.
 */
export async function createProviderOrder(
  settings: PaymentSettings,
  input: { provider: Provider; amount: number; currency: string; reference: OrderReference; idempotencyKey: string },
): Promise<ProviderOrder> {
  const { reference } = input;
  const key = reference.kind === 'booking' ? 'booking_id' : 'pass_purchase_id';
  if (input.provider === 'razorpay') {
    const created = await createRazorpayOrder(settings.razorpay, {
      amount: input.amount,
      currency: input.currency,
      receipt: `${reference.kind === 'booking' ? 'booking' : 'pass'}-${reference.id}`,
      bookingId: reference.id,
      noteKey: key,
    });
    return { orderId: providerId(created?.id, 'razorpay') };
  }
  const intent = await createStripePaymentIntent(settings.stripe, {
    amount: input.amount,
    currency: input.currency,
    bookingId: reference.id,
    idempotencyKey: input.idempotencyKey,
    metadataKey: key,
  });
  const secret = intent?.client_secret;
  return { orderId: providerId(intent?.id, 'stripe'), clientSecret: typeof secret === 'string' ? secret : undefined };
}

/** The provider-specific part of a `payment` answer: what the client's checkout needs. */
export function checkoutFields(settings: PaymentSettings, provider: Provider, order: ProviderOrder) {
  return provider === 'razorpay'
    ? { order_id: order.orderId, key_id: settings.razorpay.keyId }
    : { payment_intent_id: order.orderId, client_secret: order.clientSecret };
}
