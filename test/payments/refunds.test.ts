import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_REFUND_ATTEMPTS } from '../../src/modules/payments/refund';
import { runCron } from '../support/api';
import { fakePaymentProviders, type FakeProviders } from '../support/fake-providers';
import { bookedCount, bookingRow, createEvent, createUsers, outboxFor } from '../support/fixtures';
import { call, expectError } from '../support/http';

const MINUTE = 60_000;
import { razorpayCheckoutResult } from '../support/payments';

let providers: FakeProviders;
beforeEach(() => {
  providers = fakePaymentProviders();
});
afterEach(() => vi.restoreAllMocks());

async function paidBooking(provider: 'razorpay' | 'stripe') {
  const event = await createEvent({ price: 49900, capacity: 5 });
  const [member] = await createUsers(1);
  const created = await call('POST', '/create-payment', { token: member!.token, body: { event_id: event.id, provider } });
  let body: Record<string, unknown>;
  if (provider === 'razorpay') {
    body = await razorpayCheckoutResult(created.json.payment.order_id);
  } else {
    providers.intents.get(created.json.payment.payment_intent_id)!.status = 'succeeded';
    body = { payment_intent_id: created.json.payment.payment_intent_id };
  }
  const confirmed = await call('POST', '/confirm-booking', {
    token: member!.token,
    body: { booking_id: created.json.booking.id, ...body },
  });
  expect(confirmed.status).toBe(200);
  return { event, member: member!, booking: confirmed.json.booking };
}

describe('cancelling a paid booking', () => {
  it.each(['razorpay', 'stripe'] as const)('%s: the refund reaches the provider and the CRM', async (provider) => {
    const { event, member, booking } = await paidBooking(provider);
    const res = await call('DELETE', `/cancel-booking/${booking.id}`, { token: member.token });
    expect(res.status).toBe(200);
    expect(res.json.booking).toMatchObject({ status: 'cancelled', is_paid: true, payment_id: booking.payment_id });
    expect(providers.refunds).toEqual([expect.objectContaining({ provider, target: booking.payment_id, amount: 49900 })]);
    const refundCall = providers.calls.find((c) => c.url.includes(provider === 'razorpay' ? '/refund' : '/v1/refunds'))!;
    expect(refundCall.method).toBe('POST');
    expect(await bookingRow(booking.id)).toMatchObject({ refund_id: providers.refunds[0]!.id, status: 'cancelled' });
    expect(await bookedCount(event.id)).toBe(0);
    const messages = await outboxFor(booking.id);
    expect(messages.map((m) => m.type)).toEqual(['booking.paid', 'booking.cancelled', 'booking.refunded']);
    expect(messages[2]!.payload).toMatchObject({ payment_status: 'refunded', payment_id: booking.payment_id });
  });

  it('a refund the provider refuses is retried by the cron, once', async () => {
    const { member, booking } = await paidBooking('razorpay');
    providers.failNext('/refund', 503);
    const res = await call('DELETE', `/cancel-booking/${booking.id}`, { token: member.token });
    expect(res.status).toBe(200);
    expect((await bookingRow(booking.id))!.refund_id).toBeNull();
    expect((await outboxFor(booking.id)).map((m) => m.type)).toEqual(['booking.paid', 'booking.cancelled']);

    expect(await bookingRow(booking.id)).toMatchObject({ refund_attempts: 1, refund_failed_at: null });
    await runCron(); // not due yet: the first retry waits five minutes
    expect((await bookingRow(booking.id))!.refund_id).toBeNull();
    await runCron(Date.now() + 6 * MINUTE);
    await runCron(Date.now() + 6 * MINUTE);
    expect((await bookingRow(booking.id))!.refund_id).toMatch(/^rfnd_/);
    expect(providers.refunds.filter((r) => r.target === booking.payment_id)).toHaveLength(1);
    expect((await outboxFor(booking.id)).map((m) => m.type)).toEqual(['booking.paid', 'booking.cancelled', 'booking.refunded']);
  });

  it('a payment that came after its hold was released is refunded by the cron when the first refund fails', async () => {
    const event = await createEvent({ price: 49900, capacity: 1 });
    const [member] = await createUsers(1);
    const created = await call('POST', '/create-payment', {
      token: member!.token,
      body: { event_id: event.id, provider: 'razorpay' },
    });
    const bookingId = created.json.booking.id as number;
    await env.DB.prepare('UPDATE bookings SET hold_expires_at = ? WHERE id = ?')
      .bind(Date.now() - MINUTE, bookingId)
      .run();
    // Someone takes the seat the expired hold gave back, so the late payment buys nothing and is refunded.
    const [next] = await createUsers(1);
    const taken = await call('POST', '/create-payment', {
      token: next!.token,
      body: { event_id: event.id, provider: 'razorpay' },
    });
    expect(taken.status).toBe(201);
    providers.failNext('/refund', 503);
    const late = await call('POST', '/confirm-booking', {
      token: member!.token,
      body: { booking_id: bookingId, ...(await razorpayCheckoutResult(created.json.payment.order_id, 'pay_Orphan000001')) },
    });
    expectError(late, 409, 'payment_hold_expired');
    expect(await bookingRow(bookingId)).toMatchObject({
      status: 'cancelled',
      is_paid: 0,
      payment_id: 'pay_Orphan000001',
      refund_id: null,
    });
    await runCron(Date.now() + 6 * MINUTE);
    expect((await bookingRow(bookingId))!.refund_id).toMatch(/^rfnd_/);
    expect(providers.refunds).toEqual([expect.objectContaining({ target: 'pay_Orphan000001', amount: 49900 })]);
  });

  it('gives up after the last attempt: marked failed, an error logged, never retried again', async () => {
    const { member, booking } = await paidBooking('stripe');
    await env.DB.prepare('UPDATE bookings SET refund_attempts = ? WHERE id = ?')
      .bind(MAX_REFUND_ATTEMPTS - 1, booking.id)
      .run();
    const errors = vi.spyOn(console, 'error');
    providers.failNext('/v1/refunds', 500);
    await call('DELETE', `/cancel-booking/${booking.id}`, { token: member.token });
    const row = await bookingRow(booking.id);
    expect(row).toMatchObject({ refund_id: null, refund_attempts: MAX_REFUND_ATTEMPTS });
    expect(row!.refund_failed_at).toBeGreaterThan(0);
    expect(errors.mock.calls.map((c) => String(c[0])).some((line) => line.includes('refund failed for good'))).toBe(true);
    await runCron(Date.now() + 24 * 60 * MINUTE);
    expect((await bookingRow(booking.id))!.refund_id).toBeNull();
    expect(providers.refunds).toEqual([]);
  });
});
