import { vi } from 'vitest';

/**
 * Outbound HTTP for the hardening suites, faked at the fetch boundary: Razorpay creates orders and Stripe creates
 * PaymentIntents (so generated /create-payment requests can succeed), Razorpay reads any payment back as a captured
 * payment of the newest order (so a correctly signed /confirm-booking can succeed), Stripe reads an intent back as not
 * paid (so a generated /confirm-booking cannot), Google knows no place (ZERO_RESULTS, for suites that set a Google
 * key), and anything else (the CRM) answers 503. Nothing leaves the machine.
 */
export function fakeUpstreams() {
  const calls: string[] = [];
  let newestOrder: { id: string; amount: number; currency: string } | undefined;
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    calls.push(`${method} ${url.host}${url.pathname}`);
    const json = (body: unknown) => Response.json(body);
    const n = calls.length;
    if (url.pathname.endsWith('/v1/orders') && method === 'POST') {
      const asked = JSON.parse(String(init?.body ?? '{}'));
      newestOrder = { id: `order_fake${n}`, amount: Number(asked.amount), currency: String(asked.currency) };
      return json({ ...newestOrder, entity: 'order', receipt: null, status: 'created' });
    }
    const payment = /\/v1\/payments\/([^/]+)$/.exec(url.pathname);
    if (payment && method === 'GET' && newestOrder) {
      const { id: order_id, amount, currency } = newestOrder;
      return json({ id: payment[1], entity: 'payment', order_id, amount, currency, status: 'captured' });
    }
    if (url.pathname.endsWith('/v1/payment_intents') && method === 'POST') {
      return json({
        id: `pi_fake${n}`,
        amount: 50_000,
        currency: 'inr',
        status: 'requires_payment_method',
        client_secret: `pi_fake${n}_secret`,
      });
    }
    if (url.pathname.includes('/v1/payment_intents/')) {
      return json({ id: url.pathname.split('/').pop(), amount: 1, currency: 'usd', status: 'requires_payment_method' });
    }
    if (url.pathname.endsWith('/geocode/json')) return json({ results: [], status: 'ZERO_RESULTS' });
    return new Response('unavailable', { status: 503 });
  });
  return { calls, restore: () => spy.mockRestore() };
}
