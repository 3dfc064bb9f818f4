import { vi } from 'vitest';

/**
 * Outbound HTTP for the hardening suites, faked at the fetch boundary: Razorpay creates orders and Stripe creates
 * PaymentIntents (so generated /create-payment requests can succeed), Stripe reads an intent back as not paid (so a
 * generated /confirm-booking cannot), Google knows no place (ZERO_RESULTS, for suites that set a Google key), and
 * anything else (the CRM) answers 503. Nothing leaves the machine.
 */
export function fakeUpstreams() {
  const calls: string[] = [];
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    calls.push(`${method} ${url.host}${url.pathname}`);
    const json = (body: unknown) => Response.json(body);
    const n = calls.length;
    if (url.pathname.endsWith('/v1/orders') && method === 'POST') {
      return json({ id: `order_fake${n}`, entity: 'order', amount: 50_000, currency: 'INR', receipt: null, status: 'created' });
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
