import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { bookAs } from '../support/api';
import { createEvent, createUser, outboxRowsFor } from '../support/fixtures';
import { call } from '../support/http';

async function statuses(eventId: number) {
  const { results } = await env.DB.prepare(
    'SELECT id, status, cancel_reason, cancelled_at IS NOT NULL AS has_cancelled_at FROM bookings WHERE event_id = ? ORDER BY id',
  )
    .bind(eventId)
    .all();
  return results;
}

describe('DELETE /events/:id cancels the bookings with it', () => {
  it('every active booking becomes cancelled (event_cancelled) in the same step, and the CRM hears of each', async () => {
    const event = await createEvent({ capacity: 2 });
    const admin = await createUser('admin');
    const [a, b, c, d] = [await createUser(), await createUser(), await createUser(), await createUser()];
    const confirmedA = (await bookAs(a.token, event.id)).id;
    const confirmedB = (await bookAs(b.token, event.id)).id;
    const waitlistedC = (await bookAs(c.token, event.id, true)).id;
    const earlierD = (await bookAs(d.token, event.id, true)).id;
    await call('DELETE', `/cancel-booking/${earlierD}`, { token: d.token });

    const res = await call('DELETE', `/events/${event.id}`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.json.event).toMatchObject({ status: 'cancelled', booked_count: 0 });

    expect(await statuses(event.id)).toEqual([
      { id: confirmedA, status: 'cancelled', cancel_reason: 'event_cancelled', has_cancelled_at: 1 },
      { id: confirmedB, status: 'cancelled', cancel_reason: 'event_cancelled', has_cancelled_at: 1 },
      { id: waitlistedC, status: 'cancelled', cancel_reason: 'event_cancelled', has_cancelled_at: 1 },
      { id: earlierD, status: 'cancelled', cancel_reason: 'user_cancelled', has_cancelled_at: 1 },
    ]);

    const messages = await outboxRowsFor({ eventId: event.id });
    const cascade = messages.filter((m) => m.payload.cancel_reason === 'event_cancelled');
    expect(cascade.map((m) => [m.payload.type, m.payload.booking_id, m.status])).toEqual([
      ['booking.cancelled', confirmedA, 'queued'],
      ['booking.cancelled', confirmedB, 'queued'],
      ['booking.cancelled', waitlistedC, 'queued'],
    ]);
    expect(new Set(cascade.map((m) => m.id)).size).toBe(3);
    expect(cascade.every((m) => m.payload.id === m.id)).toBe(true);
    expect(cascade[0]!.payload.user).toEqual({ id: a.user.id, name: a.user.name, email: a.user.email });
    const eventMessages = messages.filter((m) => m.type === 'event.cancelled');
    expect(eventMessages).toHaveLength(1);
    expect(eventMessages[0]!.payload).toMatchObject({
      type: 'event.cancelled',
      booking_id: null,
      user: null,
      event: { id: event.id, title: event.title },
      booking_ids: [confirmedA, confirmedB, waitlistedC],
    });

    // The user sees the booking, cancelled with the reason; a second DELETE changes and tells nothing more.
    const mine = await call('GET', '/my-bookings', { token: a.token });
    expect(mine.json.upcoming_bookings[0]).toMatchObject({
      id: confirmedA,
      status: 'cancelled',
      cancel_reason: 'event_cancelled',
    });
    await call('DELETE', `/events/${event.id}`, { token: admin.token });
    expect(await outboxRowsFor({ eventId: event.id })).toHaveLength(messages.length);
  });

  it('PATCH status cancelled cascades the same way', async () => {
    const event = await createEvent();
    const admin = await createUser('admin');
    const member = await createUser();
    const id = (await bookAs(member.token, event.id)).id;
    const res = await call('PATCH', `/events/${event.id}`, { token: admin.token, body: { status: 'cancelled' } });
    expect(res.status).toBe(200);
    expect(await statuses(event.id)).toEqual([
      { id, status: 'cancelled', cancel_reason: 'event_cancelled', has_cancelled_at: 1 },
    ]);
    const types = (await outboxRowsFor({ eventId: event.id })).map((m) => m.type);
    expect(types).toEqual(['booking.created', 'event.cancelled', 'booking.cancelled']);
  });
});

describe('rescheduling notifies the CRM', () => {
  it('a new starts_at writes one event.rescheduled with the active booking ids and the new date', async () => {
    const event = await createEvent({ capacity: 5 });
    const admin = await createUser('admin');
    const [a, b] = [await createUser(), await createUser()];
    const kept = (await bookAs(a.token, event.id)).id;
    const dropped = (await bookAs(b.token, event.id)).id;
    await call('DELETE', `/cancel-booking/${dropped}`, { token: b.token });
    const newStart = new Date(event.startsAt.getTime() + 24 * 3600_000);

    const res = await call('PATCH', `/events/${event.id}`, { token: admin.token, body: { starts_at: newStart.toISOString() } });
    expect(res.status).toBe(200);
    const rescheduled = (await outboxRowsFor({ eventId: event.id })).filter((m) => m.type === 'event.rescheduled');
    expect(rescheduled).toHaveLength(1);
    expect(rescheduled[0]!.payload).toMatchObject({
      type: 'event.rescheduled',
      event: { id: event.id, date: newStart.toISOString() },
      booking_ids: [kept],
    });
  });

  it('a new location notifies; a new title alone does not', async () => {
    const event = await createEvent();
    const admin = await createUser('admin');
    const member = await createUser();
    const id = (await bookAs(member.token, event.id)).id;
    await call('PATCH', `/events/${event.id}`, { token: admin.token, body: { title: 'A better title' } });
    expect((await outboxRowsFor({ eventId: event.id })).filter((m) => m.type === 'event.rescheduled')).toHaveLength(0);
    const moved = await call('PATCH', `/events/${event.id}`, {
      token: admin.token,
      body: { location: 'Goa', latitude: 15.2993, longitude: 74.124 },
    });
    expect(moved.status).toBe(200);
    const rescheduled = (await outboxRowsFor({ eventId: event.id })).filter((m) => m.type === 'event.rescheduled');
    expect(rescheduled.map((m) => m.payload.booking_ids)).toEqual([[id]]);
    expect(rescheduled[0]!.payload.event.title).toBe('A better title');
  });
});

describe('a higher capacity fills seats from the waitlist', () => {
  it('raising capacity from 1 to 3 confirms the two earliest waitlisted bookings, each with booking.promoted', async () => {
    const event = await createEvent({ capacity: 1 });
    const admin = await createUser('admin');
    const users = [await createUser(), await createUser(), await createUser(), await createUser()];
    await bookAs(users[0]!.token, event.id);
    const waiting = [];
    for (const user of users.slice(1)) waiting.push((await bookAs(user.token, event.id, true)).id);

    const res = await call('PATCH', `/events/${event.id}`, { token: admin.token, body: { capacity: 3 } });
    expect(res.status).toBe(200);
    expect(res.json.event).toMatchObject({ capacity: 3, booked_count: 3, seats_left: 0 });
    const rows = await statuses(event.id);
    expect(rows.map((r) => r.status)).toEqual(['confirmed', 'confirmed', 'confirmed', 'waitlisted']);
    const promoted = (await outboxRowsFor({ bookingIds: waiting })).filter((m) => m.type === 'booking.promoted');
    expect(promoted.map((m) => m.payload.booking_id)).toEqual(waiting.slice(0, 2));
  });
});
