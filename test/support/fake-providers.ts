import { vi } from 'vitest';

/**
 * Razorpay and Stripe faked at the fetch boundary, answering in their real formats (orders, PaymentIntents,
 * refunds). Tests set a PaymentIntent's status to what the customer's checkout would have produced.
 */
export interface FakeProviders {
  calls: Array<{ method: string; url: string; body: string; headers: Headers }>;
  intents: Map<
    string,
    { id: string; amount: number; currency: string; status: string; metadata: Record<string, string>; client_secret: string }
  >;
  orders: Map<string, { id: string; amount: number; currency: string; receipt: string }>;
  refunds: Array<{ provider: 'razorpay' | 'stripe'; id: string; amount: number; target: string }>;
  /** Make the next matching call fail with this HTTP status. */
  failNext(pathPart: string, status: number): void;
}

/**
 * Razorpay's side of Checkout: the orders the fake created and the payments customers made against them, kept for the
 * whole test file (module level) so `razorpayCheckoutResult` can record a payment that GET /v1/payments/:id then shows.
 */
export const razorpayLedger = {
  orders: new Map<string, { amount: number; currency: string }>(),
  payments: new Map<string, { id: string; order_id: string; amount: number; currency: string; status: string }>(),
};

/** A payment as Checkout would have made it: captured, for the order's amount and currency. */
export function recordRazorpayPayment(
  paymentId: string,
  orderId: string,
  patch: Partial<{ amount: number; currency: string; status: string; order_id: string }> = {},
) {
  const order = razorpayLedger.orders.get(orderId) ?? { amount: 0, currency: 'INR' };
  razorpayLedger.payments.set(paymentId, { id: paymentId, order_id: orderId, status: 'captured', ...order, ...patch });
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

export function fakePaymentProviders(): FakeProviders {
  let counter = 0;
  const next = (prefix: string) =>
    `${prefix}_${Date.now().toString(36)}${(++counter).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const failures: Array<{ pathPart: string; status: number }> = [];
  const state: FakeProviders = {
    calls: [],
    intents: new Map(),
    orders: new Map(),
    refunds: [],
    failNext: (pathPart, status) => failures.push({ pathPart, status }),
  };
  const original = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.method === 'GET' ? '' : await request.text();
    state.calls.push({ method: request.method, url: request.url, body, headers: request.headers });
    const failure = failures.findIndex((f) => url.pathname.includes(f.pathPart));
    if (failure >= 0) return json({ error: { message: 'injected failure' } }, failures.splice(failure, 1)[0]!.status);

    if (url.hostname === 'razorpay.test') {
      if (request.method === 'POST' && url.pathname === '/v1/orders') {
        const { amount, currency, receipt } = JSON.parse(body);
        const order = { id: next('order'), amount, currency, receipt };
        state.orders.set(order.id, order);
        razorpayLedger.orders.set(order.id, { amount, currency });
        return json({
          ...order,
          entity: 'order',
          amount_paid: 0,
          amount_due: amount,
          status: 'created',
          attempts: 0,
          notes: [],
          created_at: 1,
        });
      }
      const read = /^\/v1\/payments\/([^/]+)$/.exec(url.pathname);
      if (request.method === 'GET' && read) {
        const payment = razorpayLedger.payments.get(decodeURIComponent(read[1]!));
        return payment
          ? json({ ...payment, entity: 'payment', method: 'card', captured: payment.status === 'captured' })
          : json({ error: { code: 'BAD_REQUEST_ERROR', description: 'The id provided does not exist' } }, 400);
      }
      const refund = /^\/v1\/payments\/([^/]+)\/refund$/.exec(url.pathname);
      if (request.method === 'POST' && refund) {
        const { amount } = JSON.parse(body);
        const id = next('rfnd');
        state.refunds.push({ provider: 'razorpay', id, amount, target: refund[1]! });
        return json({ id, entity: 'refund', amount, currency: 'INR', payment_id: refund[1], status: 'processed' });
      }
    }
    if (url.hostname === 'stripe.test') {
      const form = new URLSearchParams(body);
      if (request.method === 'POST' && url.pathname === '/v1/payment_intents') {
        const id = next('pi');
        const intent = {
          id,
          amount: Number(form.get('amount')),
          currency: form.get('currency')!,
          status: 'requires_payment_method',
          metadata: { booking_id: form.get('metadata[booking_id]') ?? '' },
          client_secret: `${id}_secret_${next('s')}`,
        };
        state.intents.set(id, intent);
        return json({ ...intent, object: 'payment_intent' });
      }
      const read = /^\/v1\/payment_intents\/([^/]+)$/.exec(url.pathname);
      if (request.method === 'GET' && read) {
        const intent = state.intents.get(read[1]!);
        return intent
          ? json({ ...intent, object: 'payment_intent', amount_received: intent.status === 'succeeded' ? intent.amount : 0 })
          : json({ error: { type: 'invalid_request_error' } }, 404);
      }
      if (request.method === 'POST' && url.pathname === '/v1/refunds') {
        const id = next('re');
        const amount = Number(form.get('amount'));
        state.refunds.push({ provider: 'stripe', id, amount, target: form.get('payment_intent')! });
        return json({
          id,
          object: 'refund',
          amount,
          currency: 'inr',
          payment_intent: form.get('payment_intent'),
          status: 'succeeded',
        });
      }
    }
    return original(input, init);
  });
  return state;
}
