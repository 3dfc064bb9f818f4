import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCron } from '../support/api';
import { fakePaymentProviders, type FakeProviders } from '../support/fake-providers';
import { bookingRow, createEvent, createUser, createUsers, outboxFor } from '../support/fixtures';
import { call, expectError } from '../support/http';
import { razorpayCheckoutResult } from '../support/payments';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const PRICE = 49_999; // odd, so a percentage has a remainder to floor

let providers: FakeProviders;
beforeEach(() => {
  providers = fakePaymentProviders();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** An event whose cut-off is `cutoffInMinutes` from now: 12 hours before a start 12 h + that many minutes away. */
async function eventWithCutoffIn(cutoffInMinutes: number, spec: { price?: number; percent?: number } = {}) {
  return createEvent({
    startsAt: Date.now() + 12 * HOUR + cutoffInMinutes * MINUTE,
    capacity: 5,
    price: spec.price ?? 0,
    cancellationCutoffHours: 12,
    lateCancelRefundPercent: spec.percent ?? 0,
  });
}

async function freeBooking(eventId: number, token: string) {
  const res = await call('POST', '/book', { token, body: { event_id: eventId } });
  expect(res.status).toBe(201);
  return res.json.booking as Record<string, any>;
}

/** A booking paid through the provider's flow (the fakes play Razorpay and Stripe). */
async function paidBooking(eventId: number, token: string, provider: 'razorpay' | 'stripe') {
  const created = await call('POST', '/create-payment', { token, body: { event_id: eventId, provider } });
  expect(created.status).toBe(201);
  let proof: Record<string, unknown>;
  if (provider === 'razorpay') {
    proof = await razorpayCheckoutResult(created.json.payment.order_id);
  } else {
    providers.intents.get(created.json.payment.payment_intent_id)!.status = 'succeeded';
    proof = { payment_intent_id: created.json.payment.payment_intent_id };
  }
  const confirmed = await call('POST', '/confirm-booking', { token, body: { booking_id: created.json.booking.id, ...proof } });
  expect(confirmed.status).toBe(200);
  return confirmed.json.booking as Record<string, any>;
}

/** Asks for the quote, then cancels, at the same instant (the clock is frozen at `at` for both). */
async function quoteThenCancel(bookingId: number, token: string, at: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
  const quote = await call('GET', `/bookings/${bookingId}/cancellation-quote`, { token });
  const cancel = await call('DELETE', `/cancel-booking/${bookingId}`, { token });
  vi.useRealTimers();
  expect(quote.status).toBe(200);
  expect(cancel.status).toBe(200);
  return { quote: quote.json, booking: cancel.json.booking as Record<string, any> };
}

const MOMENTS = [
  ['a minute before the cut-off', -MINUTE, false],
  ['exactly at the cut-off', 0, true],
  ['a minute after the cut-off', MINUTE, true],
] as const;

describe('the cancellation quote is what the cancel does', () => {
  it.each(MOMENTS)('free booking, %s', async (_, offset, late) => {
    const event = await eventWithCutoffIn(10);
    const { token } = await createUser();
    const booking = await freeBooking(event.id, token);
    const cutoff = Date.parse(booking.policy.cutoff_at);
    const { quote, booking: cancelled } = await quoteThenCancel(booking.id, token, cutoff + offset);
    expect(quote).toEqual({
      booking_id: booking.id,
      late,
      cutoff_at: booking.policy.cutoff_at,
      refund: null,
      credit_returned: false,
    });
    expect(cancelled).toMatchObject({ status: 'cancelled', late_cancel: late, refund_amount: null });
  });

  for (const provider of ['razorpay', 'stripe'] as const) {
    it.each(MOMENTS)(`${provider}: paid booking with a 50 % late refund, %s`, async (_, offset, late) => {
      const event = await eventWithCutoffIn(10, { price: PRICE, percent: 50 });
      const { token } = await createUser();
      const booking = await paidBooking(event.id, token, provider);
      const cutoff = Date.parse(booking.policy.cutoff_at);
      const { quote, booking: cancelled } = await quoteThenCancel(booking.id, token, cutoff + offset);

      const expected = late ? Math.floor((PRICE * 50) / 100) : PRICE; // 24 999 after the cut-off
      expect(quote).toEqual({
        booking_id: booking.id,
        late,
        cutoff_at: booking.policy.cutoff_at,
        refund: { amount: expected, currency: 'INR' },
        credit_returned: false,
      });
      expect(cancelled).toMatchObject({ status: 'cancelled', late_cancel: late, refund_amount: expected });
      // What the provider was asked to refund is the quote's amount.
      expect(providers.refunds).toEqual([expect.objectContaining({ provider, target: booking.payment_id, amount: expected })]);
      const message = (await outboxFor(booking.id)).find((m) => m.type === 'booking.cancelled')!;
      expect(message.payload).toMatchObject({ late_cancel: late, refund_amount: expected, cancel_reason: 'user_cancelled' });
    });
  }

  it('a late cancel whose policy refunds 0 % calls no provider, and the cron never refunds it', async () => {
    const event = await eventWithCutoffIn(10, { price: PRICE, percent: 0 });
    const { token } = await createUser();
    const booking = await paidBooking(event.id, token, 'razorpay');
    const { quote, booking: cancelled } = await quoteThenCancel(booking.id, token, Date.parse(booking.policy.cutoff_at) + MINUTE);
    expect(quote).toMatchObject({ late: true, refund: null });
    expect(cancelled).toMatchObject({ late_cancel: true, refund_amount: 0 });
    await runCron(Date.now() + HOUR);
    expect(providers.refunds).toEqual([]);
    expect(await bookingRow(booking.id)).toMatchObject({ refund_id: null, refund_attempts: 0 });
    const message = (await outboxFor(booking.id)).find((m) => m.type === 'booking.cancelled')!;
    expect(message.payload).toMatchObject({ late_cancel: true, refund_amount: 0 });
  });

  it('an admin cancelling a member’s booking after the cut-off refunds in full, and the admin’s quote says so', async () => {
    const event = await eventWithCutoffIn(-30, { price: PRICE, percent: 25 });
    const [member, admin] = [await createUser(), await createUser('admin')];
    const booking = await paidBooking(event.id, member.token, 'stripe');
    const memberQuote = await call('GET', `/bookings/${booking.id}/cancellation-quote`, { token: member.token });
    expect(memberQuote.json).toMatchObject({ late: true, refund: { amount: Math.floor((PRICE * 25) / 100) } });
    const adminQuote = await call('GET', `/bookings/${booking.id}/cancellation-quote`, { token: admin.token });
    expect(adminQuote.json).toMatchObject({ late: false, refund: { amount: PRICE, currency: 'INR' } });
    const res = await call('DELETE', `/cancel-booking/${booking.id}`, { token: admin.token });
    expect(res.json.booking).toMatchObject({ cancel_reason: 'admin_cancelled', late_cancel: false, refund_amount: PRICE });
    expect(providers.refunds).toEqual([expect.objectContaining({ amount: PRICE })]);
  });

  it('an event cancelled by its organiser refunds every paid booking in full, even after the cut-off', async () => {
    const event = await eventWithCutoffIn(-30, { price: PRICE, percent: 10 });
    const { token } = await createUser();
    const booking = await paidBooking(event.id, token, 'razorpay');
    const admin = await createUser('admin');
    expect((await call('DELETE', `/events/${event.id}`, { token: admin.token })).status).toBe(200);
    const message = (await outboxFor(booking.id)).find((m) => m.type === 'booking.cancelled')!;
    expect(message.payload).toMatchObject({ cancel_reason: 'event_cancelled', late_cancel: false, refund_amount: PRICE });
    await runCron();
    expect(providers.refunds).toEqual([expect.objectContaining({ target: booking.payment_id, amount: PRICE })]);
    expect(await bookingRow(booking.id)).toMatchObject({ refund_amount: PRICE, late_cancel: 0 });
  });
});

describe('the policy a booking was made under', () => {
  it('changing the event’s policy after booking changes neither the booking’s policy nor its quote', async () => {
    const admin = await createUser('admin');
    const event = await eventWithCutoffIn(-60, { price: PRICE, percent: 50 });
    const { token } = await createUser();
    const booking = await paidBooking(event.id, token, 'razorpay');
    const before = await call('GET', `/bookings/${booking.id}/cancellation-quote`, { token });

    const patched = await call('PATCH', `/events/${event.id}`, {
      token: admin.token,
      body: { cancellation_cutoff_hours: 1, late_cancel_refund_percent: 0 },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.event).toMatchObject({ cancellation_cutoff_hours: 1, late_cancel_refund_percent: 0 });

    const after = await call('GET', `/bookings/${booking.id}/cancellation-quote`, { token });
    expect(after.json).toEqual(before.json);
    expect(after.json).toMatchObject({ late: true, refund: { amount: Math.floor(PRICE / 2) } });
    const shown = await call('GET', `/bookings/${booking.id}`, { token });
    expect(shown.json.booking.policy).toEqual(booking.policy);
    // A booking made now gets the new policy.
    const [other] = await createUsers(1);
    const fresh = await paidBooking(event.id, other!.token, 'razorpay');
    expect(fresh.policy).toEqual({
      cutoff_at: new Date(Date.parse(fresh.event.starts_at) - HOUR).toISOString(),
      late_cancel_refund_percent: 0,
    });
  });

  it('an event takes CANCELLATION_CUTOFF_HOURS unless it names its own cut-off, and refuses one out of range', async () => {
    const admin = await createUser('admin');
    const facilitator = await env.DB.prepare(`INSERT INTO facilitators (name, crm_id) VALUES ('P', ?) RETURNING id`)
      .bind(`crm-policy-${Date.now()}`)
      .first<{ id: number }>();
    const body = { title: 'Policy', type: 'Yoga', starts_at: new Date(Date.now() + 48 * HOUR).toISOString(), location: 'Online' };
    const plain = await call('POST', '/events', { token: admin.token, body: { ...body, facilitator_id: facilitator!.id } });
    expect(plain.json.event).toMatchObject({ cancellation_cutoff_hours: 12, late_cancel_refund_percent: 0 });
    const own = await call('POST', '/events', {
      token: admin.token,
      body: { ...body, facilitator_id: facilitator!.id, cancellation_cutoff_hours: 48, late_cancel_refund_percent: 100 },
    });
    expect(own.json.event).toMatchObject({ cancellation_cutoff_hours: 48, late_cancel_refund_percent: 100 });
    for (const bad of [
      { cancellation_cutoff_hours: 721 },
      { late_cancel_refund_percent: 101 },
      { late_cancel_refund_percent: 5.5 },
    ]) {
      const res = await call('POST', '/events', {
        token: admin.token,
        body: { ...body, facilitator_id: facilitator!.id, ...bad },
      });
      expectError(res, 400, 'validation_failed');
    }
  });
});

describe('GET /bookings/:id/cancellation-quote refuses what the cancel refuses', () => {
  it('someone else’s booking 403, unknown 404, cancelled 409, started 409', async () => {
    const event = await eventWithCutoffIn(60);
    const [owner, stranger] = await createUsers(2);
    const booking = await freeBooking(event.id, owner!.token);
    expectError(await call('GET', `/bookings/${booking.id}/cancellation-quote`, { token: stranger!.token }), 403, 'forbidden');
    expectError(await call('GET', '/bookings/999999999/cancellation-quote', { token: owner!.token }), 404, 'not_found');
    await call('DELETE', `/cancel-booking/${booking.id}`, { token: owner!.token });
    expectError(
      await call('GET', `/bookings/${booking.id}/cancellation-quote`, { token: owner!.token }),
      409,
      'booking_already_cancelled',
    );
    const started = await createEvent({ startsAt: Date.now() + 10 * MINUTE });
    const other = await freeBooking(started.id, owner!.token);
    await env.DB.prepare('UPDATE events SET starts_at = ?, ends_at = ? WHERE id = ?')
      .bind(Date.now() - MINUTE, Date.now() + HOUR, started.id)
      .run();
    expectError(await call('GET', `/bookings/${other.id}/cancellation-quote`, { token: owner!.token }), 409, 'event_started');
  });
});
