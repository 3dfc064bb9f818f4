import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCron } from '../support/api';
import { fakePaymentProviders } from '../support/fake-providers';
import { bookedCount, bookingRow, createBooking, createEvent, createUser, createUsers, outboxFor } from '../support/fixtures';
import { call, expectError } from '../support/http';
import { razorpayCheckoutResult } from '../support/payments';

const HOUR = 3_600_000;
const MINUTE = 60_000;

beforeEach(() => {
  fakePaymentProviders();
});
afterEach(() => vi.restoreAllMocks());

/** A full paid event (its seats taken by confirmed bookings) with members waiting in order. */
async function fullPaidEvent(seats: number, waiting: number, startsAt = Date.now() + 3 * 24 * HOUR) {
  const event = await createEvent({ capacity: seats, price: 49_900, startsAt });
  const holders = await createUsers(seats);
  const seatBookings = [];
  for (const holder of holders) seatBookings.push(await createBooking(holder.id, event.id));
  const waiters = await createUsers(waiting);
  const waitBookings: number[] = [];
  for (const waiter of waiters) {
    const res = await call('POST', '/book', { token: waiter.token, body: { event_id: event.id, waitlist: true } });
    expect(res.status, res.text).toBe(201);
    expect(res.json.booking.status).toBe('waitlisted');
    waitBookings.push(res.json.booking.id);
  }
  return { event, holders, seatBookings, waiters, waitBookings };
}

const status = async (id: number) => (await bookingRow(id))!.status as string;

describe('the waitlist of a paid event', () => {
  it('a freed seat is offered, claimed as a payment hold, paid and confirmed', async () => {
    const { event, holders, seatBookings, waiters, waitBookings } = await fullPaidEvent(1, 1);
    const cancelled = await call('DELETE', `/cancel-booking/${seatBookings[0]}`, { token: holders[0]!.token });
    expect(cancelled.status).toBe(200);

    const offered = await call('GET', `/bookings/${waitBookings[0]}`, { token: waiters[0]!.token });
    expect(offered.json.booking).toMatchObject({ status: 'offered', waitlist_position: null, is_paid: false });
    const offerEnds = Date.parse(offered.json.booking.offer_expires_at);
    expect(offerEnds).toBeGreaterThan(Date.now() + 11 * HOUR);
    expect(offerEnds).toBeLessThanOrEqual(Date.now() + 12 * HOUR);
    expect(await bookedCount(event.id)).toBe(1); // the seat is held for the offer
    const message = (await outboxFor(waitBookings[0]!)).find((m) => m.type === 'booking.offered')!;
    expect(message.payload).toMatchObject({ booking_status: 'offered', offer_expires_at: offered.json.booking.offer_expires_at });

    const claimed = await call('POST', `/bookings/${waitBookings[0]}/claim`, {
      token: waiters[0]!.token,
      body: { provider: 'razorpay' },
    });
    expect(claimed.status, claimed.text).toBe(201);
    expect(claimed.json.booking).toMatchObject({ status: 'pending_payment', offer_expires_at: null });
    expect(claimed.json.payment).toMatchObject({ provider: 'razorpay', amount: 49_900, currency: 'INR' });
    const proof = await razorpayCheckoutResult(claimed.json.payment.order_id);
    const paid = await call('POST', '/confirm-booking', {
      token: waiters[0]!.token,
      body: { booking_id: waitBookings[0], ...proof },
    });
    expect(paid.status).toBe(200);
    expect(paid.json.booking).toMatchObject({ status: 'confirmed', is_paid: true, amount_paid: 49_900 });
    expect(await bookedCount(event.id)).toBe(1);
    expectError(
      await call('POST', `/bookings/${waitBookings[0]}/claim`, { token: waiters[0]!.token, body: { provider: 'razorpay' } }),
      409,
      'booking_not_offered',
    );
  });

  it('an expired offer is cancelled (offer_expired) by the cron and the next in line is offered; it cannot be claimed', async () => {
    const { holders, seatBookings, waiters, waitBookings } = await fullPaidEvent(1, 2);
    await call('DELETE', `/cancel-booking/${seatBookings[0]}`, { token: holders[0]!.token });
    expect(await status(waitBookings[0]!)).toBe('offered');
    await runCron(Date.now() + 13 * HOUR);
    expect(await bookingRow(waitBookings[0]!)).toMatchObject({ status: 'cancelled', cancel_reason: 'offer_expired' });
    expect(await status(waitBookings[1]!)).toBe('offered');
    expectError(
      await call('POST', `/bookings/${waitBookings[0]}/claim`, { token: waiters[0]!.token, body: { provider: 'stripe' } }),
      409,
      'offer_expired',
    );
  });

  it('claiming an offer whose time is up is 409 offer_expired and passes the seat on at once (no cron)', async () => {
    const { holders, seatBookings, waiters, waitBookings } = await fullPaidEvent(1, 2);
    await call('DELETE', `/cancel-booking/${seatBookings[0]}`, { token: holders[0]!.token });
    await env.DB.prepare('UPDATE bookings SET offer_expires_at = ? WHERE id = ?')
      .bind(Date.now() - MINUTE, waitBookings[0])
      .run();
    expectError(
      await call('POST', `/bookings/${waitBookings[0]}/claim`, { token: waiters[0]!.token, body: { provider: 'razorpay' } }),
      409,
      'offer_expired',
    );
    expect(await status(waitBookings[0]!)).toBe('cancelled');
    expect(await status(waitBookings[1]!)).toBe('offered');
  });

  it('two seats freed at once offer two people, each once', async () => {
    const { holders, seatBookings, waitBookings } = await fullPaidEvent(2, 3);
    const answers = await Promise.all(
      seatBookings.map((id, i) => call('DELETE', `/cancel-booking/${id}`, { token: holders[i]!.token })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(await Promise.all(waitBookings.map(status))).toEqual(['offered', 'offered', 'waitlisted']);
    for (const id of waitBookings.slice(0, 2)) {
      expect((await outboxFor(id)).filter((m) => m.type === 'booking.offered')).toHaveLength(1);
    }
  });

  it('only claims its own offer; another member is 403 before the body is read', async () => {
    const { holders, seatBookings, waitBookings } = await fullPaidEvent(1, 1);
    await call('DELETE', `/cancel-booking/${seatBookings[0]}`, { token: holders[0]!.token });
    const stranger = await createUser();
    expectError(await call('POST', `/bookings/${waitBookings[0]}/claim`, { token: stranger.token, body: {} }), 403, 'forbidden');
    expect(await status(waitBookings[0]!)).toBe('offered');
  });
});

describe('the waitlist cut-off', () => {
  it('no offer within WAITLIST_CUTOFF_MINUTES of the start; at the start the waitlist is closed (waitlist_closed)', async () => {
    const start = Date.now() + 30 * MINUTE;
    const { event, holders, seatBookings, waitBookings } = await fullPaidEvent(1, 1, start);
    await call('DELETE', `/cancel-booking/${seatBookings[0]}`, { token: holders[0]!.token });
    expect(await status(waitBookings[0]!)).toBe('waitlisted');
    expect(await bookedCount(event.id)).toBe(0);
    await runCron(start + MINUTE);
    expect(await bookingRow(waitBookings[0]!)).toMatchObject({ status: 'cancelled', cancel_reason: 'waitlist_closed' });
    const types = (await outboxFor(waitBookings[0]!)).map((m) => [m.type, m.payload.cancel_reason]);
    expect(types).toContainEqual(['booking.cancelled', 'waitlist_closed']);
  });

  it('a free event promotes automatically, but not inside the cut-off', async () => {
    for (const [minutesAway, expected] of [
      [30, 'waitlisted'],
      [180, 'confirmed'],
    ] as const) {
      const event = await createEvent({ capacity: 1, startsAt: Date.now() + minutesAway * MINUTE });
      const [holder, waiter] = await createUsers(2);
      const seat = await call('POST', '/book', { token: holder!.token, body: { event_id: event.id } });
      const wait = await call('POST', '/book', { token: waiter!.token, body: { event_id: event.id, waitlist: true } });
      await call('DELETE', `/cancel-booking/${seat.json.booking.id}`, { token: holder!.token });
      expect(await status(wait.json.booking.id), `${minutesAway} minutes away`).toBe(expected);
    }
  });
});

describe('fixes on the way', () => {
  it('raising a free event’s price and capacity offers the new seat to the waitlist instead of confirming it unpaid', async () => {
    const event = await createEvent({ capacity: 1 });
    const [holder, waiter] = await createUsers(2);
    await call('POST', '/book', { token: holder!.token, body: { event_id: event.id } });
    const wait = await call('POST', '/book', { token: waiter!.token, body: { event_id: event.id, waitlist: true } });
    const admin = await createUser('admin');
    const patched = await call('PATCH', `/events/${event.id}`, { token: admin.token, body: { price: 20_000, capacity: 2 } });
    expect(patched.status).toBe(200);
    expect(await bookingRow(wait.json.booking.id)).toMatchObject({ status: 'offered', is_paid: 0 });
  });

  it('an event with active bookings cannot be moved into the past (409 event_has_active_bookings); an empty one can', async () => {
    const admin = await createUser('admin');
    const busy = await createEvent();
    const [member] = await createUsers(1);
    await createBooking(member!.id, busy.id);
    const past = new Date(Date.now() - 2 * HOUR).toISOString();
    expectError(
      await call('PATCH', `/events/${busy.id}`, { token: admin.token, body: { starts_at: past } }),
      409,
      'event_has_active_bookings',
    );
    const empty = await createEvent();
    expect((await call('PATCH', `/events/${empty.id}`, { token: admin.token, body: { starts_at: past } })).status).toBe(200);
  });
});
