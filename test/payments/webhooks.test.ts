import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCron } from '../support/api';
import { fakePaymentProviders, type FakeProviders } from '../support/fake-providers';
import { bookedCount, bookingRow, createEvent, createUsers, outboxFor } from '../support/fixtures';
import { call, expectError } from '../support/http';
import {
  razorpayCheckoutResult,
  razorpayPaymentEvent,
  razorpayWebhook,
  stripeEvent,
  stripeIntentSucceeded,
  stripeWebhook,
} from '../support/payments';

let providers: FakeProviders;
beforeEach(() => {
  providers = fakePaymentProviders();
});
afterEach(() => vi.restoreAllMocks());

async function hold(provider: 'razorpay' | 'stripe', capacity = 5) {
  const event = await createEvent({ price: 49900, capacity });
  const [member] = await createUsers(1);
  const created = await call('POST', '/create-payment', { token: member!.token, body: { event_id: event.id, provider } });
  expect(created.status).toBe(201);
  return { event, member: member!, booking: created.json.booking, payment: created.json.payment };
}

const paymentEventsFor = async (eventId: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM payment_events WHERE event_id = ?').bind(eventId).first<{ n: number }>())!.n;

describe('POST /payment-webhook: signatures', () => {
  it('a bad Razorpay signature is 400 and changes nothing', async () => {
    const { booking, payment } = await hold('razorpay');
    const res = await razorpayWebhook(
      razorpayPaymentEvent('payment.captured', { id: 'pay_Forged0001', order_id: payment.order_id, amount: 49900 }),
      'evt_forged_1',
      'not-the-webhook-secret',
    );
    expectError(res, 400, 'invalid_signature');
    expect((await bookingRow(booking.id))!.status).toBe('pending_payment');
    expect(await paymentEventsFor('evt_forged_1')).toBe(0);
    expect(
      await env.DB.prepare('SELECT count(*) AS n FROM payment_events WHERE booking_id = ?').bind(booking.id).first('n'),
    ).toBe(0);
  });

  it('a stale or wrongly signed Stripe event is 400 and changes nothing', async () => {
    const { booking, payment } = await hold('stripe');
    const event = stripeIntentSucceeded(payment.payment_intent_id);
    expectError(await stripeWebhook(event, Math.floor(Date.now() / 1000) - 301), 400, 'invalid_signature');
    expectError(await stripeWebhook(event, undefined, 'whsec_wrong'), 400, 'invalid_signature');
    const unsigned = await call('POST', '/payment-webhook', { body: event });
    expectError(unsigned, 400, 'invalid_signature');
    expect((await bookingRow(booking.id))!.status).toBe('pending_payment');
    expect(await paymentEventsFor(event.id)).toBe(0);
  });
});

describe('POST /payment-webhook: effects', () => {
  it('Razorpay payment.captured confirms a held booking the client never confirmed, once', async () => {
    const { event, booking, payment } = await hold('razorpay');
    const body = razorpayPaymentEvent('payment.captured', { id: 'pay_Webhook00001', order_id: payment.order_id, amount: 49900 });
    const first = await razorpayWebhook(body, 'evt_rzp_success_1');
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ received: true, duplicate: false });
    expect(await bookingRow(booking.id)).toMatchObject({
      status: 'confirmed',
      is_paid: 1,
      payment_id: 'pay_Webhook00001',
      amount_paid: 49900,
    });

    const again = await razorpayWebhook(body, 'evt_rzp_success_1');
    expect(again.json).toEqual({ received: true, duplicate: true });
    expect((await outboxFor(booking.id)).map((m) => m.type)).toEqual(['booking.paid']);
    expect(await bookedCount(event.id)).toBe(1);
  });

  it('Stripe payment_intent.succeeded confirms the hold; the same event twice is processed once', async () => {
    const { booking, payment } = await hold('stripe');
    const body = stripeIntentSucceeded(payment.payment_intent_id);
    expect((await stripeWebhook(body)).json).toEqual({ received: true, duplicate: false });
    expect((await stripeWebhook(body)).json).toEqual({ received: true, duplicate: true });
    expect(await bookingRow(booking.id)).toMatchObject({
      status: 'confirmed',
      is_paid: 1,
      payment_id: payment.payment_intent_id,
    });
    expect(await paymentEventsFor(body.id)).toBe(1);
    expect((await outboxFor(booking.id)).map((m) => m.type)).toEqual(['booking.paid']);
  });

  it('a webhook after the client already confirmed changes nothing more', async () => {
    const { member, booking, payment } = await hold('razorpay');
    const checkout = await razorpayCheckoutResult(payment.order_id, 'pay_BothPaths001');
    expect(
      (await call('POST', '/confirm-booking', { token: member.token, body: { booking_id: booking.id, ...checkout } })).status,
    ).toBe(200);
    const res = await razorpayWebhook(
      razorpayPaymentEvent('payment.captured', { id: 'pay_BothPaths001', order_id: payment.order_id, amount: 49900 }),
    );
    expect(res.status).toBe(200);
    expect((await outboxFor(booking.id)).map((m) => m.type)).toEqual(['booking.paid']);
    expect(providers.refunds).toEqual([]);
  });

  it('a declined payment keeps the hold: the order stays payable, and a retry in Checkout still confirms it', async () => {
    const { event, member, booking, payment } = await hold('razorpay', 1);
    const res = await razorpayWebhook(
      razorpayPaymentEvent('payment.failed', { id: 'pay_Failed00001', order_id: payment.order_id, amount: 49900 }),
    );
    expect(res.status).toBe(200);
    expect(await bookingRow(booking.id)).toMatchObject({ status: 'pending_payment', cancel_reason: null });
    expect(await bookedCount(event.id)).toBe(1);
    const retried = await call('POST', '/confirm-booking', {
      token: member.token,
      body: { booking_id: booking.id, ...(await razorpayCheckoutResult(payment.order_id, 'pay_Retry000001')) },
    });
    expect(retried.status).toBe(200);
    expect(retried.json.booking).toMatchObject({ status: 'confirmed', is_paid: true, payment_id: 'pay_Retry000001' });
  });

  it('a cancelled PaymentIntent frees the hold and its seat (it can never be paid)', async () => {
    const { event, booking, payment } = await hold('stripe', 1);
    const declined = await stripeWebhook(stripeEvent('payment_intent.payment_failed', { id: payment.payment_intent_id }));
    expect(declined.status).toBe(200);
    expect((await bookingRow(booking.id))!.status).toBe('pending_payment');
    const res = await stripeWebhook(stripeEvent('payment_intent.canceled', { id: payment.payment_intent_id }));
    expect(res.status).toBe(200);
    expect(await bookingRow(booking.id)).toMatchObject({ status: 'cancelled', cancel_reason: 'payment_cancelled' });
    expect(await bookedCount(event.id)).toBe(0);
  });

  it('a refund made at the provider is recorded once and reaches the CRM', async () => {
    const { event, member, booking, payment } = await hold('stripe');
    providers.intents.get(payment.payment_intent_id)!.status = 'succeeded';
    await call('POST', '/confirm-booking', {
      token: member.token,
      body: { booking_id: booking.id, payment_intent_id: payment.payment_intent_id },
    });
    const refund = stripeEvent('charge.refunded', {
      id: 'ch_1',
      object: 'charge',
      payment_intent: payment.payment_intent_id,
      amount_refunded: 49900,
      refunds: { data: [{ id: 're_dashboard_1', object: 'refund', amount: 49900 }] },
    });
    expect((await stripeWebhook(refund)).status).toBe(200);
    expect(await bookingRow(booking.id)).toMatchObject({
      status: 'cancelled',
      cancel_reason: 'refunded',
      refund_id: 're_dashboard_1',
    });
    expect(await bookedCount(event.id)).toBe(0);
    const types = (await outboxFor(booking.id)).map((m) => m.type);
    expect(types).toEqual(['booking.paid', 'booking.refunded']);
  });

  it('an event for an unknown order is recorded and ignored', async () => {
    const res = await razorpayWebhook(
      razorpayPaymentEvent('payment.captured', { id: 'pay_Nobody00001', order_id: 'order_Unknown0001', amount: 1 }),
      'evt_unknown_order',
    );
    expect(res.json).toEqual({ received: true, duplicate: false });
    expect(await paymentEventsFor('payment.captured:pay_Nobody00001')).toBe(1);
  });

  it('a replayed Razorpay event is a duplicate even under a new X-Razorpay-Event-Id (the header is not signed)', async () => {
    const { event, booking, payment } = await hold('razorpay');
    const body = razorpayPaymentEvent('payment.captured', { id: 'pay_Replayed0001', order_id: payment.order_id, amount: 49900 });
    expect((await razorpayWebhook(body, 'evt_original_1')).json).toEqual({ received: true, duplicate: false });
    const replay = await razorpayWebhook(body, 'evt_attacker_chose_this');
    expect(replay.json).toEqual({ received: true, duplicate: true });
    expect(await paymentEventsFor('payment.captured:pay_Replayed0001')).toBe(1);
    expect((await outboxFor(booking.id)).map((m) => m.type)).toEqual(['booking.paid']);
    expect(await bookedCount(event.id)).toBe(1);
    // Another event about the same payment (its type differs) is its own event.
    const orderPaid = { ...body, event: 'order.paid' };
    expect((await razorpayWebhook(orderPaid, 'evt_original_1')).json).toEqual({ received: true, duplicate: false });
  });
});

describe('hold expiry', () => {
  async function expire(bookingId: number) {
    await env.DB.prepare('UPDATE bookings SET hold_expires_at = ? WHERE id = ?')
      .bind(Date.now() - 1000, bookingId)
      .run();
  }

  it('an expired hold frees its seat for the next customer, and a late confirm is refused and refunded', async () => {
    const { event, member, booking, payment } = await hold('razorpay', 1);
    await expire(booking.id);
    const [next] = await createUsers(1);
    const taken = await call('POST', '/create-payment', {
      token: next!.token,
      body: { event_id: event.id, provider: 'razorpay' },
    });
    expect(taken.status).toBe(201);
    expect(await bookingRow(booking.id)).toMatchObject({ status: 'cancelled', cancel_reason: 'payment_expired' });
    expect(await bookedCount(event.id)).toBe(1);

    const late = await call('POST', '/confirm-booking', {
      token: member.token,
      body: { booking_id: booking.id, ...(await razorpayCheckoutResult(payment.order_id, 'pay_TooLate00001')) },
    });
    expectError(late, 409, 'payment_hold_expired');
    expect(await bookingRow(booking.id)).toMatchObject({ status: 'cancelled', is_paid: 0 });
    expect(providers.refunds).toEqual([
      expect.objectContaining({ provider: 'razorpay', target: 'pay_TooLate00001', amount: 49900 }),
    ]);
    expect(await bookedCount(event.id)).toBe(1);
  });

  it('a late confirm still buys the seat while one is free: confirmed and paid, nothing refunded', async () => {
    const { event, member, booking, payment } = await hold('razorpay', 1);
    await expire(booking.id);
    await runCron(); // the hold is given back
    expect(await bookingRow(booking.id)).toMatchObject({ status: 'cancelled', cancel_reason: 'payment_expired' });
    const late = await call('POST', '/confirm-booking', {
      token: member.token,
      body: { booking_id: booking.id, ...(await razorpayCheckoutResult(payment.order_id, 'pay_LateButOk01')) },
    });
    expect(late.status, late.text).toBe(200);
    expect(late.json.booking).toMatchObject({ status: 'confirmed', is_paid: true, cancelled_at: null, cancel_reason: null });
    expect(await bookedCount(event.id)).toBe(1);
    expect(providers.refunds).toEqual([]);
    expect((await outboxFor(booking.id)).map((m) => m.type)).toEqual(['booking.paid']);
  });

  it('the cron releases expired holds', async () => {
    const { event, booking } = await hold('stripe', 3);
    await expire(booking.id);
    await runCron();
    expect(await bookingRow(booking.id)).toMatchObject({ status: 'cancelled', cancel_reason: 'payment_expired' });
    expect(await bookedCount(event.id)).toBe(0);
  });
});
