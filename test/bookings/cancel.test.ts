import { describe, expect, it } from 'vitest';
import { bookAs } from '../support/api';
import { bookingRow, createEvent, createUser, outboxRowsFor, setEventStart } from '../support/fixtures';
import { call, expectError } from '../support/http';

const HOUR = 3600_000;

describe('DELETE /cancel-booking/:id', () => {
  it('cancels: the row stays with status, cancelled_at and reason; the seat is freed; booking.cancelled is written', async () => {
    const event = await createEvent({ capacity: 2 });
    const { token } = await createUser();
    const booking = await bookAs(token, event.id);
    const res = await call('DELETE', `/cancel-booking/${booking.id}`, { token });
    expect(res.status).toBe(200);
    expect(res.json.msg).toBe('Booking cancelled');
    expect(res.json.booking).toMatchObject({
      id: booking.id,
      status: 'cancelled',
      cancelled_at: expect.stringMatching(/Z$/),
      cancel_reason: 'user_cancelled',
      event: { booked_count: 0, seats_left: 2 },
    });
    expect(await bookingRow(booking.id)).toMatchObject({ status: 'cancelled', cancel_reason: 'user_cancelled' });
    const messages = await outboxRowsFor({ bookingIds: [booking.id] });
    expect(messages.map((m) => m.payload.type)).toEqual(['booking.created', 'booking.cancelled']);
    expect(messages[1]!.payload).toMatchObject({ booking_status: 'cancelled', cancel_reason: 'user_cancelled' });
  });

  it("is 403 forbidden for someone else's booking, and changes nothing", async () => {
    const event = await createEvent();
    const owner = await createUser();
    const other = await createUser();
    const booking = await bookAs(owner.token, event.id);
    expectError(await call('DELETE', `/cancel-booking/${booking.id}`, { token: other.token }), 403, 'forbidden');
    expect((await bookingRow(booking.id))!.status).toBe('confirmed');
  });

  it('lets an admin cancel any booking, with reason admin_cancelled', async () => {
    const event = await createEvent();
    const owner = await createUser();
    const admin = await createUser('admin');
    const booking = await bookAs(owner.token, event.id);
    const res = await call('DELETE', `/cancel-booking/${booking.id}`, { token: admin.token });
    expect(res.json.booking).toMatchObject({
      status: 'cancelled',
      cancel_reason: 'admin_cancelled',
      user_id: expect.any(Number),
    });
  });

  it('is 409 booking_already_cancelled the second time, and the first cancel time stays', async () => {
    const event = await createEvent();
    const { token } = await createUser();
    const booking = await bookAs(token, event.id);
    await call('DELETE', `/cancel-booking/${booking.id}`, { token });
    const before = await bookingRow(booking.id);
    expectError(await call('DELETE', `/cancel-booking/${booking.id}`, { token }), 409, 'booking_already_cancelled');
    expect(await bookingRow(booking.id)).toEqual(before);
    const messages = await outboxRowsFor({ bookingIds: [booking.id] });
    expect(messages.filter((m) => m.payload.type === 'booking.cancelled')).toHaveLength(1);
  });

  it('two simultaneous cancels: one 200, one 409, one message', async () => {
    const event = await createEvent();
    const { token } = await createUser();
    const booking = await bookAs(token, event.id);
    const both = await Promise.all([1, 2].map(() => call('DELETE', `/cancel-booking/${booking.id}`, { token })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const messages = await outboxRowsFor({ bookingIds: [booking.id] });
    expect(messages.filter((m) => m.payload.type === 'booking.cancelled')).toHaveLength(1);
  });

  it('is 409 event_started once the event has started, and the booking stays', async () => {
    const event = await createEvent();
    const { token } = await createUser();
    const booking = await bookAs(token, event.id);
    await setEventStart(event.id, new Date(Date.now() - 1000));
    expectError(await call('DELETE', `/cancel-booking/${booking.id}`, { token }), 409, 'event_started');
    expect((await bookingRow(booking.id))!.status).toBe('confirmed');
  });

  it('is 404 for a missing booking and 400 for a malformed id', async () => {
    const { token } = await createUser();
    expectError(await call('DELETE', '/cancel-booking/99999999', { token }), 404, 'not_found');
    expectError(await call('DELETE', '/cancel-booking/1.5', { token }), 400, 'validation_failed');
    expectError(await call('DELETE', '/cancel-booking/1'), 401, 'unauthorized');
  });
});

describe('waitlist promotion', () => {
  it('cancelling a confirmed booking on a full event confirms the earliest waitlisted one, with booking.promoted', async () => {
    const event = await createEvent({ capacity: 1 });
    const [holder, first, second] = [await createUser(), await createUser(), await createUser()];
    const seat = await bookAs(holder.token, event.id);
    const early = await bookAs(first.token, event.id, true);
    const late = await bookAs(second.token, event.id, true);
    expect([early.status, late.status]).toEqual(['waitlisted', 'waitlisted']);

    await call('DELETE', `/cancel-booking/${seat.id}`, { token: holder.token });

    const promoted = await call('GET', `/bookings/${early.id}`, { token: first.token });
    expect(promoted.json.booking).toMatchObject({ status: 'confirmed', waitlist_position: null, event: { booked_count: 1 } });
    expect((await bookingRow(early.id))!.promoted_at).toEqual(expect.any(Number));
    const stillWaiting = await call('GET', `/bookings/${late.id}`, { token: second.token });
    expect(stillWaiting.json.booking).toMatchObject({ status: 'waitlisted', waitlist_position: 1 });

    const [message] = (await outboxRowsFor({ bookingIds: [early.id] })).filter((m) => m.payload.type === 'booking.promoted');
    expect(message!.payload).toMatchObject({
      type: 'booking.promoted',
      booking_id: early.id,
      booking_status: 'confirmed',
      user: { id: first.user.id, email: first.user.email },
      event: { id: event.id },
    });
  });

  it('cancelling a waitlisted booking promotes nobody and keeps the queue in order', async () => {
    const event = await createEvent({ capacity: 1 });
    const [holder, a, b] = [await createUser(), await createUser(), await createUser()];
    await bookAs(holder.token, event.id);
    const first = await bookAs(a.token, event.id, true);
    const second = await bookAs(b.token, event.id, true);
    await call('DELETE', `/cancel-booking/${first.id}`, { token: a.token });
    const after = await call('GET', `/bookings/${second.id}`, { token: b.token });
    expect(after.json.booking).toMatchObject({ status: 'waitlisted', waitlist_position: 1, event: { booked_count: 1 } });
    expect((await outboxRowsFor({ bookingIds: [second.id] })).map((m) => m.payload.type)).toEqual(['booking.created']);
  });
});

describe('GET /my-bookings', () => {
  it('splits around now: upcoming soonest first, past latest first, cancelled ones listed with their status', async () => {
    const { token } = await createUser();
    const soon = await createEvent({ startsAt: new Date(Date.now() + 2 * HOUR) });
    const later = await createEvent({ startsAt: new Date(Date.now() + 48 * HOUR) });
    const cancelledOne = await createEvent({ startsAt: new Date(Date.now() + 24 * HOUR) });
    const yesterday = await createEvent();
    const lastWeek = await createEvent();
    const ids: Record<string, number> = {};
    for (const [name, event] of Object.entries({ soon, later, cancelledOne, yesterday, lastWeek })) {
      ids[name] = (await bookAs(token, event.id)).id;
    }
    await call('DELETE', `/cancel-booking/${ids.cancelledOne}`, { token });
    await setEventStart(yesterday.id, new Date(Date.now() - 24 * HOUR));
    await setEventStart(lastWeek.id, new Date(Date.now() - 7 * 24 * HOUR));

    const res = await call('GET', '/my-bookings', { token });
    expect(res.status).toBe(200);
    const summary = (list: any[]) => list.map((b) => [b.id, b.status]);
    expect(summary(res.json.upcoming_bookings)).toEqual([
      [ids.soon, 'confirmed'],
      [ids.cancelledOne, 'cancelled'],
      [ids.later, 'confirmed'],
    ]);
    expect(summary(res.json.past_bookings)).toEqual([
      [ids.yesterday, 'confirmed'],
      [ids.lastWeek, 'confirmed'],
    ]);
    expect(res.json.upcoming_bookings[0].event.id).toBe(soon.id);
  });

  it("shows only the caller's bookings, and is 401 without a token", async () => {
    const event = await createEvent();
    const a = await createUser();
    const b = await createUser();
    await bookAs(a.token, event.id);
    const res = await call('GET', '/my-bookings', { token: b.token });
    expect(res.json).toEqual({ upcoming_bookings: [], past_bookings: [], next_upcoming_cursor: null, next_past_cursor: null });
    expectError(await call('GET', '/my-bookings'), 401, 'unauthorized');
  });
});
