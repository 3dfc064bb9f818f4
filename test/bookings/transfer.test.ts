import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCron } from '../support/api';
import { fakePaymentProviders, type FakeProviders } from '../support/fake-providers';
import { bookedCount, bookingRow, createBooking, createEvent, createUsers, outboxFor } from '../support/fixtures';
import { call, expectError } from '../support/http';
import { razorpayCheckoutResult } from '../support/payments';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let providers: FakeProviders;
beforeEach(() => {
  providers = fakePaymentProviders();
});
afterEach(() => vi.restoreAllMocks());

describe('POST /bookings/:id/transfer', () => {
  it('moves a booking in one step: a new booking on the target, the old one cancelled (transferred), the waitlist moves', async () => {
    const from = await createEvent({ capacity: 1, startsAt: Date.now() + 2 * DAY });
    const to = await createEvent({ capacity: 3, startsAt: Date.now() + 3 * DAY, lateCancelRefundPercent: 40 });
    const [member, waiter] = await createUsers(2);
    const booked = await call('POST', '/book', { token: member!.token, body: { event_id: from.id } });
    const waiting = await call('POST', '/book', { token: waiter!.token, body: { event_id: from.id, waitlist: true } });

    const res = await call('POST', `/bookings/${booked.json.booking.id}/transfer`, {
      token: member!.token,
      body: { event_id: to.id },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json.msg).toBe('Booking transferred');
    expect(res.json.booking).toMatchObject({
      event_id: to.id,
      status: 'confirmed',
      transferred_from: booked.json.booking.id,
      policy: { late_cancel_refund_percent: 40 },
    });
    expect(res.json.booking.check_in_code).not.toBe(booked.json.booking.check_in_code);
    expect(await bookingRow(booked.json.booking.id)).toMatchObject({ status: 'cancelled', cancel_reason: 'transferred' });
    expect(await bookedCount(to.id)).toBe(1);
    expect(await bookingRow(waiting.json.booking.id)).toMatchObject({ status: 'confirmed' }); // the freed seat's waitlist
    expect(await bookedCount(from.id)).toBe(1);
    const message = (await outboxFor(res.json.booking.id)).find((m) => m.type === 'booking.transferred')!;
    expect(message.payload).toMatchObject({ transferred_from: booked.json.booking.id, event: { id: to.id } });
  });

  it('a paid booking carries its payment: nothing is refunded, the new booking is paid', async () => {
    const from = await createEvent({ price: 30_000, capacity: 2 });
    const to = await createEvent({ price: 30_000, capacity: 2, startsAt: Date.now() + 8 * DAY });
    const [member] = await createUsers(1);
    const hold = await call('POST', '/create-payment', {
      token: member!.token,
      body: { event_id: from.id, provider: 'razorpay' },
    });
    const proof = await razorpayCheckoutResult(hold.json.payment.order_id);
    const paid = await call('POST', '/confirm-booking', {
      token: member!.token,
      body: { booking_id: hold.json.booking.id, ...proof },
    });
    const res = await call('POST', `/bookings/${paid.json.booking.id}/transfer`, {
      token: member!.token,
      body: { event_id: to.id },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json.booking).toMatchObject({ is_paid: true, payment_id: proof.razorpay_payment_id, amount_paid: 30_000 });
    await runCron();
    expect(providers.refunds).toEqual([]);
    // Cancelling the new booking refunds the payment once.
    await call('DELETE', `/cancel-booking/${res.json.booking.id}`, { token: member!.token });
    expect(providers.refunds).toEqual([expect.objectContaining({ target: proof.razorpay_payment_id, amount: 30_000 })]);
  });

  it('refusals: other price, past the cut-off, same event, full target, someone else’s booking', async () => {
    const [member, stranger] = await createUsers(2);
    const from = await createEvent({ capacity: 5 });
    const bookingId = await createBooking(member!.id, from.id);
    const paidTarget = await createEvent({ price: 100 });
    const fullTarget = await createEvent({ capacity: 1 });
    await createBooking(stranger!.id, fullTarget.id);
    const transfer = (event_id: number, token = member!.token) =>
      call('POST', `/bookings/${bookingId}/transfer`, { token, body: { event_id } });
    expectError(await transfer(paidTarget.id), 409, 'price_differs');
    expectError(await transfer(from.id), 409, 'event_not_bookable');
    const full = await transfer(fullTarget.id);
    expectError(full, 409, 'event_full');
    expectError(await transfer(fullTarget.id, stranger!.token), 403, 'forbidden');
    expect(await bookingRow(bookingId)).toMatchObject({ status: 'confirmed' });

    const soon = await createEvent({ capacity: 5, startsAt: Date.now() + 6 * HOUR, cancellationCutoffHours: 12 });
    const late = await createBooking(member!.id, soon.id);
    const open = await createEvent({ capacity: 5 });
    expectError(
      await call('POST', `/bookings/${late}/transfer`, { token: member!.token, body: { event_id: open.id } }),
      409,
      'cutoff_passed',
    );
  });

  it('20 transfers at once into a 5-seat event: exactly 5 move, the others keep their booking untouched', async () => {
    const target = await createEvent({ capacity: 5 });
    const source = await createEvent({ capacity: 20 });
    const members = await createUsers(20);
    const ids: number[] = [];
    for (const member of members) ids.push(await createBooking(member.id, source.id));
    const answers = await Promise.all(
      members.map((member, i) =>
        call('POST', `/bookings/${ids[i]}/transfer`, { token: member.token, body: { event_id: target.id } }),
      ),
    );
    const moved = answers.filter((a) => a.status === 201);
    expect(moved).toHaveLength(5);
    for (const refused of answers.filter((a) => a.status !== 201)) expectError(refused, 409, 'event_full');
    expect(await bookedCount(target.id)).toBe(5);
    expect(await bookedCount(source.id)).toBe(15);
    const rows = await Promise.all(ids.map((id) => bookingRow(id)));
    expect(rows.filter((row) => row!.status === 'confirmed')).toHaveLength(15);
    expect(rows.filter((row) => row!.status === 'cancelled' && row!.cancel_reason === 'transferred')).toHaveLength(5);
  });
});
