import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCron } from '../support/api';
import { fakePaymentProviders, type FakeProviders } from '../support/fake-providers';
import { bookingRow, createBooking, createEvent, createUsers, outboxFor, outboxRowsFor } from '../support/fixtures';
import { call } from '../support/http';
import { razorpayCheckoutResult } from '../support/payments';

const HOUR = 3_600_000;
const MINUTE = 60_000;

let providers: FakeProviders;
beforeEach(() => {
  providers = fakePaymentProviders();
});
afterEach(() => vi.restoreAllMocks());

async function eventRow(id: number) {
  return env.DB.prepare('SELECT status, go_decision, booked_count FROM events WHERE id = ?')
    .bind(id)
    .first<Record<string, any>>();
}

const typesOf = async (bookingId: number) => (await outboxFor(bookingId)).map((m) => m.type);

describe('no-shows', () => {
  it('confirmed bookings never checked in are marked no_show once, 12 hours after the end', async () => {
    const start = Date.now() - 14 * HOUR;
    const event = await createEvent({ startsAt: start, endsAt: start + HOUR });
    const [a, b, c] = await createUsers(3);
    const absent = await createBooking(a!.id, event.id);
    const attended = await createBooking(b!.id, event.id);
    const cancelled = await createBooking(c!.id, event.id);
    await env.DB.prepare(`UPDATE bookings SET attendance = 'attended', attended_at = ? WHERE id = ?`).bind(start, attended).run();
    await env.DB.prepare(`UPDATE bookings SET status = 'cancelled', cancelled_at = ? WHERE id = ?`).bind(start, cancelled).run();

    // 11 hours after the end the door is still open: nothing yet.
    await runCron(start + HOUR + 11 * HOUR);
    expect((await bookingRow(absent))!.attendance).toBeNull();

    await runCron();
    await runCron();
    expect((await bookingRow(absent))!.attendance).toBe('no_show');
    expect(await typesOf(absent)).toEqual(['booking.no_show']);
    expect((await bookingRow(attended))!.attendance).toBe('attended');
    expect(await typesOf(attended)).toEqual([]);
    expect((await bookingRow(cancelled))!.attendance).toBeNull();
    const roster = await call('GET', `/events/${event.id}/bookings`, { token: (await createUsers(1, 'admin'))[0]!.token });
    expect(roster.json.bookings.find((row: any) => row.id === absent)).toMatchObject({ attendance: 'no_show' });
  });

  it('a cancelled event’s bookings are never no-shows', async () => {
    const start = Date.now() - 14 * HOUR;
    const event = await createEvent({ startsAt: start, endsAt: start + HOUR });
    const [a] = await createUsers(1);
    const booking = await createBooking(a!.id, event.id);
    await env.DB.prepare(`UPDATE events SET status = 'cancelled', cancelled_at = ? WHERE id = ?`).bind(start, event.id).run();
    await runCron();
    expect((await bookingRow(booking))!.attendance).toBeNull();
  });
});

describe('minimum attendance', () => {
  it('too few at the decision time: the event is cancelled once, bookings cancelled and refunded in full', async () => {
    const start = Date.now() + 30 * HOUR;
    const event = await createEvent({ startsAt: start, minAttendees: 3, decisionHoursBefore: 24, price: 50_000, capacity: 10 });
    const [payer, other] = await createUsers(2);
    const hold = await call('POST', '/create-payment', {
      token: payer!.token,
      body: { event_id: event.id, provider: 'razorpay' },
    });
    const proof = await razorpayCheckoutResult(hold.json.payment.order_id);
    const paid = await call('POST', '/confirm-booking', {
      token: payer!.token,
      body: { booking_id: hold.json.booking.id, ...proof },
    });
    expect(paid.status).toBe(200);
    const free = await createBooking(other!.id, event.id);
    expect((await call('GET', `/events/${event.id}`)).json.event).toMatchObject({ min_attendees: 3, go_decision: 'pending' });

    await runCron(start - 25 * HOUR); // before the decision time
    expect(await eventRow(event.id)).toMatchObject({ status: 'scheduled', go_decision: 'pending' });

    const decisionTime = start - 24 * HOUR;
    await Promise.all([runCron(decisionTime), runCron(decisionTime)]); // two overlapping runs
    await runCron(decisionTime + MINUTE);
    expect(await eventRow(event.id)).toMatchObject({ status: 'cancelled', go_decision: 'cancelled', booked_count: 0 });
    const eventMessages = (await outboxRowsFor({ eventId: event.id })).filter((m) => m.type.startsWith('event.'));
    expect(eventMessages.map((m) => [m.type, m.payload.reason])).toEqual([['event.cancelled', 'min_attendance_not_met']]);
    for (const id of [paid.json.booking.id, free]) {
      expect(await bookingRow(id)).toMatchObject({ status: 'cancelled', cancel_reason: 'min_attendance_not_met' });
      expect((await typesOf(id)).filter((t) => t === 'booking.cancelled')).toHaveLength(1);
    }
    expect(providers.refunds).toEqual([expect.objectContaining({ target: paid.json.booking.payment_id, amount: 50_000 })]);
  });

  it('enough at the decision time: go_decision confirmed and event.confirmed, once', async () => {
    const start = Date.now() + 10 * HOUR;
    const event = await createEvent({ startsAt: start, minAttendees: 2, decisionHoursBefore: 12 });
    const users = await createUsers(2);
    for (const user of users) await createBooking(user.id, event.id);
    await runCron();
    await runCron();
    expect(await eventRow(event.id)).toMatchObject({ status: 'scheduled', go_decision: 'confirmed' });
    const shown = await call('GET', `/events/${event.id}`);
    expect(shown.json.event).toMatchObject({ go_decision: 'confirmed', min_attendees: 2 });
    const messages = (await outboxRowsFor({ eventId: event.id })).filter((m) => m.type.startsWith('event.'));
    expect(messages.map((m) => m.type)).toEqual(['event.confirmed']);
  });

  it('an event without a minimum, or already cancelled, is never decided', async () => {
    const start = Date.now() + HOUR;
    const none = await createEvent({ startsAt: start });
    const cancelled = await createEvent({ startsAt: start, minAttendees: 5, status: 'cancelled' });
    await runCron();
    expect(await eventRow(none.id)).toMatchObject({ status: 'scheduled', go_decision: null });
    expect(await eventRow(cancelled.id)).toMatchObject({ status: 'cancelled', go_decision: 'pending' });
    expect(await outboxRowsFor({ eventId: cancelled.id })).toEqual([]);
  });
});

describe('reminders', () => {
  it('one booking.reminder per booking and offset (24 h, 2 h), however often the cron runs', async () => {
    const start = Date.now() + 48 * HOUR;
    const event = await createEvent({ startsAt: start });
    const [a, b] = await createUsers(2);
    const booking = await createBooking(a!.id, event.id);
    const cancelled = await createBooking(b!.id, event.id);
    await env.DB.prepare(`UPDATE bookings SET status = 'cancelled', cancelled_at = ? WHERE id = ?`)
      .bind(Date.now(), cancelled)
      .run();

    await runCron(start - 25 * HOUR);
    expect(await typesOf(booking)).toEqual([]);
    await runCron(start - 24 * HOUR);
    await Promise.all([runCron(start - 23 * HOUR), runCron(start - 23 * HOUR)]);
    await runCron(start - 2 * HOUR);
    await runCron(start - HOUR);
    await runCron(start + HOUR); // started: nothing more
    const reminders = (await outboxFor(booking)).filter((m) => m.type === 'booking.reminder');
    expect(reminders.map((m) => m.payload.reminder_hours)).toEqual([24, 2]);
    expect(await typesOf(cancelled)).toEqual([]);
  });

  it('no reminder for an offset that had passed when the booking was made; a late run sends only the nearest', async () => {
    const soon = await createEvent({ startsAt: Date.now() + 5 * HOUR });
    const later = await createEvent({ startsAt: Date.now() + 30 * HOUR });
    const [a, b] = await createUsers(2);
    const madeLate = await createBooking(a!.id, soon.id); // 5 h before: the 24 h reminder was already past
    const missed = await createBooking(b!.id, later.id);
    await runCron(Date.now() + 4 * HOUR); // 1 h before `soon`, 26 h before `later`
    expect((await outboxFor(madeLate)).map((m) => m.payload.reminder_hours)).toEqual([2]);
    expect(await typesOf(missed)).toEqual([]);
    await runCron(Date.now() + 29 * HOUR); // the cron was down through the 24 h mark: 1 h before, only the 2 h one
    expect((await outboxFor(missed)).map((m) => m.payload.reminder_hours)).toEqual([2]);
  });
});

describe('minimum attendance on the event', () => {
  it('POST /events with min_attendees makes the decision pending; PATCH to null removes it', async () => {
    const admin = (await createUsers(1, 'admin'))[0]!;
    const facilitator = await env.DB.prepare(`INSERT INTO facilitators (name, crm_id) VALUES ('M', ?) RETURNING id`)
      .bind(`crm-min-${Date.now()}`)
      .first<{ id: number }>();
    const created = await call('POST', '/events', {
      token: admin.token,
      body: {
        title: 'Workshop',
        type: 'Breathwork',
        starts_at: new Date(Date.now() + 72 * HOUR).toISOString(),
        location: 'Online',
        facilitator_id: facilitator!.id,
        min_attendees: 4,
        decision_hours_before: 48,
      },
    });
    expect(created.status).toBe(201);
    expect(created.json.event).toMatchObject({ min_attendees: 4, decision_hours_before: 48, go_decision: 'pending' });
    const cleared = await call('PATCH', `/events/${created.json.event.id}`, {
      token: admin.token,
      body: { min_attendees: null },
    });
    expect(cleared.json.event).toMatchObject({ min_attendees: null, go_decision: null });
    const again = await call('PATCH', `/events/${created.json.event.id}`, { token: admin.token, body: { min_attendees: 2 } });
    expect(again.json.event).toMatchObject({ min_attendees: 2, go_decision: 'pending' });
  });
});
