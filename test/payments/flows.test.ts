import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakePaymentProviders, type FakeProviders } from '../support/fake-providers';
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
    expectError(
      await call('POST', '/create-payment', { token: member!.token, body: { event_id: paid.id, provider: 'stripe' } }),
      409,
      'already_booked',
    );
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
