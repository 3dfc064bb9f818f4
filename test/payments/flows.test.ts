import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakePaymentProviders, recordRazorpayPayment, type FakeProviders } from '../support/fake-providers';
import { bookedCount, bookingRow, createEvent, createUsers, outboxFor } from '../support/fixtures';
import { call, expectError } from '../support/http';
import { razorpayCheckoutResult } from '../support/payments';

let providers: FakeProviders;
beforeEach(() => {
  providers = fakePaymentProviders();
});
afterEach(() => vi.restoreAllMocks());

async function paidEvent(capacity: number | null = 10, price = 49900) {
  return createEvent({ price, capacity });
}

describe('Razorpay: create-payment → Checkout → confirm-booking', () => {
  it('ends confirmed and paid, with booking.paid for the CRM', async () => {
    const event = await paidEvent();
    const [member] = await createUsers(1);
    const created = await call('POST', '/create-payment', {
      token: member!.token,
      body: { event_id: event.id, provider: 'razorpay' },
    });
    expect(created.status).toBe(201);
    expect(created.json.booking).toMatchObject({ status: 'pending_payment', is_paid: false, event_id: event.id });
    expect(created.json.payment).toMatchObject({ provider: 'razorpay', amount: 49900, currency: 'INR', key_id: 'rzp_test_key' });
    expect(created.json.payment.order_id).toMatch(/^order_/);
    expect(await bookedCount(event.id)).toBe(1);
    expect(providers.orders.get(created.json.payment.order_id)).toMatchObject({ amount: 49900, currency: 'INR' });

    const checkout = await razorpayCheckoutResult(created.json.payment.order_id);
    const confirmed = await call('POST', '/confirm-booking', {
      token: member!.token,
      body: { booking_id: created.json.booking.id, ...checkout },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json).toMatchObject({
      msg: 'Booking confirmed',
      booking: {
        id: created.json.booking.id,
        status: 'confirmed',
        is_paid: true,
        payment_id: checkout.razorpay_payment_id,
        amount_paid: 49900,
      },
    });
    expect(await bookedCount(event.id)).toBe(1);
    const messages = await outboxFor(created.json.booking.id);
    expect(messages.map((m) => m.type)).toEqual(['booking.paid']);
    expect(messages[0]!.payload).toMatchObject({
      payment_status: 'paid',
      payment_id: checkout.razorpay_payment_id,
      booking_id: created.json.booking.id,
    });

    // The client retrying its confirm gets the same answer and changes nothing.
    const again = await call('POST', '/confirm-booking', {
      token: member!.token,
      body: { booking_id: created.json.booking.id, ...checkout },
    });
    expect(again.status).toBe(200);
    expect(again.json.booking).toEqual(confirmed.json.booking);
    expect(await outboxFor(created.json.booking.id)).toHaveLength(1);
  });

  it.each([
    [
      'a wrong signature',
      async (order: string) => ({ ...(await razorpayCheckoutResult(order)), razorpay_signature: 'ab'.repeat(32) }),
    ],
    ['a signature for another order', async () => razorpayCheckoutResult('order_someoneElses1')],
    [
      'the right signature but another order id',
      async (order: string) => {
        const other = await razorpayCheckoutResult('order_Other12345');
        return {
          ...other,
          razorpay_order_id: 'order_Other12345',
          razorpay_signature: (await razorpayCheckoutResult(order, other.razorpay_payment_id)).razorpay_signature,
        };
      },
    ],
  ])('%s is 400 payment_verification_failed and changes nothing', async (_label, forge) => {
    const event = await paidEvent();
    const [member] = await createUsers(1);
    const created = await call('POST', '/create-payment', {
      token: member!.token,
      body: { event_id: event.id, provider: 'razorpay' },
    });
    const before = await bookingRow(created.json.booking.id);
    const res = await call('POST', '/confirm-booking', {
      token: member!.token,
      body: { booking_id: created.json.booking.id, ...(await forge(created.json.payment.order_id)) },
    });
    expectError(res, 400, 'payment_verification_failed');
    expect(await bookingRow(created.json.booking.id)).toEqual(before);
    expect(await outboxFor(created.json.booking.id)).toEqual([]);
  });

  it.each([
    ['not captured (only authorized)', { status: 'authorized' }],
    ['failed', { status: 'failed' }],
    ['of another order', { order_id: 'order_SomeoneElse9' }],
    ['for less than the booking', { amount: 100 }],
    ['in another currency', { currency: 'USD' }],
  ])('a valid Checkout signature for a payment Razorpay reports as %s is 400 and changes nothing', async (_label, patch) => {
    const event = await paidEvent();
    const [member] = await createUsers(1);
    const created = await call('POST', '/create-payment', {
      token: member!.token,
      body: { event_id: event.id, provider: 'razorpay' },
    });
    const checkout = await razorpayCheckoutResult(created.json.payment.order_id);
    recordRazorpayPayment(checkout.razorpay_payment_id, created.json.payment.order_id, patch);
    const before = await bookingRow(created.json.booking.id);
    const res = await call('POST', '/confirm-booking', {
      token: member!.token,
      body: { booking_id: created.json.booking.id, ...checkout },
    });
    expectError(res, 400, 'payment_verification_failed');
    expect(
      providers.calls.some((c) => c.method === 'GET' && c.url.endsWith(`/v1/payments/${checkout.razorpay_payment_id}`)),
    ).toBe(true);
    expect(await bookingRow(created.json.booking.id)).toEqual(before);
    expect(await outboxFor(created.json.booking.id)).toEqual([]);
  });

  it('Razorpay not answering the payment read is 502 payment_provider_error and changes nothing', async () => {
    const event = await paidEvent();
    const [member] = await createUsers(1);
    const created = await call('POST', '/create-payment', {
      token: member!.token,
      body: { event_id: event.id, provider: 'razorpay' },
    });
    const checkout = await razorpayCheckoutResult(created.json.payment.order_id);
    providers.failNext(`/v1/payments/${checkout.razorpay_payment_id}`, 503);
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const before = await bookingRow(created.json.booking.id);
    const res = await call('POST', '/confirm-booking', {
      token: member!.token,
      body: { booking_id: created.json.booking.id, ...checkout },
    });
    expectError(res, 502, 'payment_provider_error');
    expect(await bookingRow(created.json.booking.id)).toEqual(before);
  });

  it('a payment id already used for another booking is 409', async () => {
    const event = await paidEvent();
    const [alice, bob] = await createUsers(2);
    const first = await call('POST', '/create-payment', {
      token: alice!.token,
      body: { event_id: event.id, provider: 'razorpay' },
    });
    const second = await call('POST', '/create-payment', {
      token: bob!.token,
      body: { event_id: event.id, provider: 'razorpay' },
    });
    const paymentId = 'pay_SharedPayment01';
    const ok = await call('POST', '/confirm-booking', {
      token: alice!.token,
      body: { booking_id: first.json.booking.id, ...(await razorpayCheckoutResult(first.json.payment.order_id, paymentId)) },
    });
    expect(ok.status).toBe(200);
    const reused = await call('POST', '/confirm-booking', {
      token: bob!.token,
      body: { booking_id: second.json.booking.id, ...(await razorpayCheckoutResult(second.json.payment.order_id, paymentId)) },
    });
    expectError(reused, 409, 'payment_already_used');
    expect((await bookingRow(second.json.booking.id))!.status).toBe('pending_payment');
  });

  it("someone else's hold cannot be confirmed", async () => {
    const event = await paidEvent();
    const [alice, mallory] = await createUsers(2);
    const created = await call('POST', '/create-payment', {
      token: alice!.token,
      body: { event_id: event.id, provider: 'razorpay' },
    });
    const res = await call('POST', '/confirm-booking', {
      token: mallory!.token,
      body: { booking_id: created.json.booking.id, ...(await razorpayCheckoutResult(created.json.payment.order_id)) },
    });
    expectError(res, 403, 'forbidden');
  });
});

describe('Stripe: create-payment → PaymentIntent → confirm-booking', () => {
  it('ends confirmed and paid after the PaymentIntent succeeded', async () => {
    const event = await paidEvent(10, 2500);
    const [member] = await createUsers(1);
    const created = await call('POST', '/create-payment', {
      token: member!.token,
      body: { event_id: event.id, provider: 'stripe' },
    });
    expect(created.status).toBe(201);
    const intentId = created.json.payment.payment_intent_id as string;
    expect(created.json.payment).toMatchObject({ provider: 'stripe', amount: 2500, currency: 'INR' });
    expect(created.json.payment.client_secret).toMatch(new RegExp(`^${intentId}_secret_`));
    providers.intents.get(intentId)!.status = 'succeeded';

    const confirmed = await call('POST', '/confirm-booking', {
      token: member!.token,
      body: { booking_id: created.json.booking.id, payment_intent_id: intentId },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.booking).toMatchObject({ status: 'confirmed', is_paid: true, payment_id: intentId, amount_paid: 2500 });
    expect(providers.calls.some((c) => c.method === 'GET' && c.url.endsWith(`/v1/payment_intents/${intentId}`))).toBe(true);
    expect((await outboxFor(created.json.booking.id)).map((m) => m.type)).toEqual(['booking.paid']);
  });

  it.each([
    ['not succeeded', (intent: { status: string }) => (intent.status = 'requires_payment_method')],
    [
      'a different amount',
      (intent: { status: string; amount: number }) => ((intent.status = 'succeeded'), (intent.amount = 100)),
    ],
    [
      'a different currency',
      (intent: { status: string; currency: string }) => ((intent.status = 'succeeded'), (intent.currency = 'usd')),
    ],
  ])('a PaymentIntent %s is 400 and changes nothing', async (_label, tamper) => {
    const event = await paidEvent(10, 2500);
    const [member] = await createUsers(1);
    const created = await call('POST', '/create-payment', {
      token: member!.token,
      body: { event_id: event.id, provider: 'stripe' },
    });
    const intentId = created.json.payment.payment_intent_id as string;
    tamper(providers.intents.get(intentId)! as never);
    const before = await bookingRow(created.json.booking.id);
    const res = await call('POST', '/confirm-booking', {
      token: member!.token,
      body: { booking_id: created.json.booking.id, payment_intent_id: intentId },
    });
    expectError(res, 400, 'payment_verification_failed');
    expect(await bookingRow(created.json.booking.id)).toEqual(before);
  });

  it("another booking's PaymentIntent is 400", async () => {
    const event = await paidEvent(10, 2500);
    const [alice, bob] = await createUsers(2);
    const a = await call('POST', '/create-payment', { token: alice!.token, body: { event_id: event.id, provider: 'stripe' } });
    const b = await call('POST', '/create-payment', { token: bob!.token, body: { event_id: event.id, provider: 'stripe' } });
    providers.intents.get(a.json.payment.payment_intent_id)!.status = 'succeeded';
    const res = await call('POST', '/confirm-booking', {
      token: bob!.token,
      body: { booking_id: b.json.booking.id, payment_intent_id: a.json.payment.payment_intent_id },
    });
    expectError(res, 400, 'payment_verification_failed');
  });
});

describe('create-payment rules', () => {
  it('/book on a paid event stays 402 payment_required', async () => {
    const event = await paidEvent();
    const [member] = await createUsers(1);
    expectError(await call('POST', '/book', { token: member!.token, body: { event_id: event.id } }), 402, 'payment_required');
  });

  it('a free event is 409 payment_not_required; a missing one 404; a second hold 409 already_booked', async () => {
    const free = await createEvent({ price: 0, capacity: 5 });
    const paid = await paidEvent();
    const [member] = await createUsers(1);
    expectError(
      await call('POST', '/create-payment', { token: member!.token, body: { event_id: free.id, provider: 'stripe' } }),
      409,
      'payment_not_required',
    );
    expectError(
      await call('POST', '/create-payment', { token: member!.token, body: { event_id: 987654321, provider: 'stripe' } }),
      404,
      'not_found',
    );
    expect(
      (await call('POST', '/create-payment', { token: member!.token, body: { event_id: paid.id, provider: 'stripe' } })).status,
    ).toBe(201);
    // Another provider for the event already held is a second booking: refused.
    expectError(
      await call('POST', '/create-payment', { token: member!.token, body: { event_id: paid.id, provider: 'razorpay' } }),
      409,
      'already_booked',
    );
  });

  it.each(['razorpay', 'stripe'] as const)(
    '%s: asking again while the hold is open gets the same hold and order back, with no new provider order',
    async (provider) => {
      const paid = await paidEvent();
      const [member] = await createUsers(1);
      const ask = () => call('POST', '/create-payment', { token: member!.token, body: { event_id: paid.id, provider } });
      const first = await ask();
      expect(first.status).toBe(201);
      const creates = () => providers.calls.filter((c) => c.method === 'POST' && /\/v1\/(orders|payment_intents)$/.test(c.url));
      expect(creates()).toHaveLength(1);
      const second = await ask();
      expect(second.status).toBe(201);
      expect(second.json).toEqual(first.json);
      expect(creates()).toHaveLength(1);
      expect(await bookedCount(paid.id)).toBe(1);
    },
  );

  it('Stripe: every hold has its own random idempotency key, stored on the booking, and its refund derives from it', async () => {
    const paid = await paidEvent();
    const members = await createUsers(2);
    const holds = [];
    for (const member of members) {
      const res = await call('POST', '/create-payment', { token: member.token, body: { event_id: paid.id, provider: 'stripe' } });
      holds.push(res.json);
    }
    const keys = providers.calls
      .filter((c) => c.method === 'POST' && c.url.endsWith('/v1/payment_intents'))
      .map((c) => c.headers.get('Idempotency-Key'));
    const rows = await Promise.all(holds.map((h) => bookingRow(h.booking.id)));
    expect(keys).toEqual(rows.map((r) => `${r!.payment_idempotency_key}:intent`));
    for (const row of rows)
      expect(row!.payment_idempotency_key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(keys).size).toBe(2);
    expect(keys[0]).not.toContain(`booking-${holds[0].booking.id}`);

    // Paid, then cancelled: the refund's key is the hold's key too.
    const intent = providers.intents.get(holds[0].payment.payment_intent_id)!;
    intent.status = 'succeeded';
    const confirmed = await call('POST', '/confirm-booking', {
      token: members[0]!.token,
      body: { booking_id: holds[0].booking.id, payment_intent_id: intent.id },
    });
    expect(confirmed.status).toBe(200);
    expect((await call('DELETE', `/cancel-booking/${holds[0].booking.id}`, { token: members[0]!.token })).status).toBe(200);
    const refund = providers.calls.find((c) => c.url.endsWith('/v1/refunds'));
    expect(refund?.headers.get('Idempotency-Key')).toBe(`${rows[0]!.payment_idempotency_key}:refund`);
  });

  it('an unknown provider is 400, and no token is 401', async () => {
    const paid = await paidEvent();
    const [member] = await createUsers(1);
    expectError(
      await call('POST', '/create-payment', { token: member!.token, body: { event_id: paid.id, provider: 'paypal' } }),
      400,
      'validation_failed',
    );
    expectError(await call('POST', '/create-payment', { body: { event_id: paid.id, provider: 'stripe' } }), 401, 'unauthorized');
  });

  it('a provider failure frees the hold and is 502', async () => {
    const event = await paidEvent(1);
    const [member, other] = await createUsers(2);
    providers.failNext('/v1/orders', 500);
    const failed = await call('POST', '/create-payment', {
      token: member!.token,
      body: { event_id: event.id, provider: 'razorpay' },
    });
    expectError(failed, 502, 'payment_provider_error');
    expect(await bookedCount(event.id)).toBe(0);
    expect(
      (await call('POST', '/create-payment', { token: other!.token, body: { event_id: event.id, provider: 'razorpay' } })).status,
    ).toBe(201);
  });

  it('two users racing for the last seat of a paid event never both get it', async () => {
    const event = await paidEvent(1);
    const racers = await createUsers(12);
    const results = await Promise.all(
      racers.map((racer, i) =>
        call('POST', '/create-payment', {
          token: racer.token,
          body: { event_id: event.id, provider: i % 2 ? 'stripe' : 'razorpay' },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.json.code === 'event_full')).toHaveLength(11);
    expect(await bookedCount(event.id)).toBe(1);
  });
});
