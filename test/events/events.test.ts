import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEventAs, eventBody, loginAs, registerAndLogin, registerFacilitator } from '../support/api';
import { call, expectError } from '../support/http';

let admin: string;
let facilitator: Awaited<ReturnType<typeof registerFacilitator>>;

beforeAll(async () => {
  admin = (await loginAs('admin')).token;
  facilitator = await registerFacilitator(admin, 'Kavya Rao');
});

const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('POST /events', () => {
  it('creates an event in the contract’s shape, times in UTC (an offset is applied, no offset means UTC)', async () => {
    const res = await call('POST', '/events', {
      token: facilitator.token,
      body: {
        title: '  Sunrise Yoga ',
        description: 'Bring a mat',
        type: 'Yoga',
        date: '2030-12-01T09:30:00+05:30',
        duration_minutes: 90,
        timezone: 'Asia/Kolkata',
        location: 'Online',
        capacity: 12,
        price: 49900,
        currency: 'usd',
      },
    });
    expect(res.status).toBe(201);
    expect(res.json.msg).toBe('Event created');
    expect(res.json.event).toEqual({
      id: expect.any(Number),
      title: 'Sunrise Yoga',
      description: 'Bring a mat',
      type: 'Yoga',
      status: 'scheduled',
      starts_at: '2030-12-01T04:00:00.000Z',
      ends_at: '2030-12-01T05:30:00.000Z',
      date: '2030-12-01T04:00:00.000Z',
      timezone: 'Asia/Kolkata',
      location: 'Online',
      latitude: null,
      longitude: null,
      location_status: 'online',
      capacity: 12,
      booked_count: 0,
      seats_left: 12,
      price: 49900,
      currency: 'USD',
      facilitator: 'Kavya Rao',
      facilitator_id: facilitator.facilitatorId,
      series_id: null,
      cancellation_cutoff_hours: 12,
      late_cancel_refund_percent: 0,
      min_attendees: null,
      decision_hours_before: 24,
      go_decision: null,
      created_at: expect.stringMatching(ISO_Z),
      updated_at: expect.stringMatching(ISO_Z),
    });
    const noOffset = await createEventAs(facilitator.token, {
      starts_at: '2030-12-01T09:30:00',
      ends_at: '2030-12-01T11:00:00Z',
    });
    expect([noOffset.starts_at, noOffset.ends_at]).toEqual(['2030-12-01T09:30:00.000Z', '2030-12-01T11:00:00.000Z']);
  });

  it('defaults: 60 minutes, UTC, free in INR, unlimited capacity (seats_left null), no location', async () => {
    const event = await createEventAs(facilitator.token, {
      capacity: undefined,
      latitude: undefined,
      longitude: undefined,
      starts_at: '2030-01-01T10:00:00Z',
    });
    expect(event).toMatchObject({
      ends_at: '2030-01-01T11:00:00.000Z',
      timezone: 'UTC',
      price: 0,
      currency: 'INR',
      capacity: null,
      seats_left: null,
      location: null,
      location_status: 'none',
    });
  });

  it('ignores fields a client must not set (booked_count, id, created_at, ...)', async () => {
    const event = await createEventAs(facilitator.token, {
      id: 1,
      booked_count: 15,
      seats_left: 0,
      created_at: '2000-01-01T00:00:00Z',
      cancelled_at: '2000-01-01T00:00:00Z',
      location_status: 'resolved',
    });
    expect(event.id).not.toBe(1);
    expect(event).toMatchObject({ booked_count: 0, seats_left: 20 });
    expect(event.created_at).not.toBe('2000-01-01T00:00:00.000Z');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['missing title', { title: undefined }, 'title'],
    ['empty title', { title: '   ' }, 'title'],
    ['null title', { title: null }, 'title'],
    ['title as number', { title: 42 }, 'title'],
    ['missing type', { type: undefined }, 'type'],
    ['missing start', { starts_at: undefined }, 'starts_at'],
    ['bad date', { starts_at: 'next tuesday' }, 'starts_at'],
    ['impossible date', { starts_at: '2030-02-30T10:00:00Z' }, 'starts_at'],
    ['hour 24', { starts_at: '2030-02-10T24:00:00Z' }, 'starts_at'],
    ['date and starts_at differ', { date: '2030-02-11T10:00:00Z', starts_at: '2030-02-10T10:00:00Z' }, 'date'],
    ['end before start', { starts_at: '2030-02-10T10:00:00Z', ends_at: '2030-02-10T09:00:00Z' }, 'ends_at'],
    ['both ends', { ends_at: '2031-01-01T00:00:00Z', duration_minutes: 30 }, 'duration_minutes'],
    ['zero duration', { duration_minutes: 0 }, 'duration_minutes'],
    ['unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone'],
    ['latitude without longitude', { longitude: undefined }, 'latitude'],
    ['latitude 91', { latitude: 91 }, 'latitude'],
    ['longitude -181', { longitude: -181 }, 'longitude'],
    ['capacity 0', { capacity: 0 }, 'capacity'],
    ['capacity 2.5', { capacity: 2.5 }, 'capacity'],
    ['negative price', { price: -1 }, 'price'],
    ['price in rupees with decimals', { price: 499.5 }, 'price'],
    ['unknown currency', { currency: 'XYZ' }, 'currency'],
    ['currency not 3 letters', { currency: 'RUPEE' }, 'currency'],
    ['status not in the enum', { status: 'rescheduled' }, 'status'],
    ['facilitator_id as string', { facilitator_id: '1' }, 'facilitator_id'],
  ])('%s is 400 validation_failed naming %s', async (_label, overrides, path) => {
    const body = expectError(
      await call('POST', '/events', { token: facilitator.token, body: eventBody(overrides) }),
      400,
      'validation_failed',
    );
    expect(body.issues.map((i: { path: string }) => i.path)).toContain(path);
  });
});

describe('GET /events/:id', () => {
  it('is public and 404s for a missing event; a non-numeric id is 400', async () => {
    const event = await createEventAs(facilitator.token);
    const res = await call('GET', `/events/${event.id}`);
    expect(res.status).toBe(200);
    expect(res.json.event).toEqual(event);
    expectError(await call('GET', '/events/99999999'), 404, 'not_found');
    expectError(await call('GET', '/events/abc'), 400, 'validation_failed');
  });
});

describe('PUT and PATCH /events/:id', () => {
  it('is a partial update: only the fields given change', async () => {
    const event = await createEventAs(facilitator.token, { description: 'Keep me' });
    for (const method of ['PATCH', 'PUT']) {
      const res = await call(method, `/events/${event.id}`, { token: facilitator.token, body: { title: `Via ${method}` } });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        msg: 'Event updated',
        event: { title: `Via ${method}`, description: 'Keep me', capacity: 20 },
      });
    }
  });

  it('a new start keeps the length; duration_minutes counts from the start', async () => {
    const event = await createEventAs(facilitator.token, { starts_at: '2031-03-01T10:00:00Z', duration_minutes: 90 });
    const moved = await call('PATCH', `/events/${event.id}`, {
      token: facilitator.token,
      body: { starts_at: '2031-03-02T08:00:00+02:00' },
    });
    expect(moved.json.event).toMatchObject({ starts_at: '2031-03-02T06:00:00.000Z', ends_at: '2031-03-02T07:30:00.000Z' });
    const shorter = await call('PATCH', `/events/${event.id}`, { token: facilitator.token, body: { duration_minutes: 30 } });
    expect(shorter.json.event.ends_at).toBe('2031-03-02T06:30:00.000Z');
    const backwards = await call('PATCH', `/events/${event.id}`, {
      token: facilitator.token,
      body: { ends_at: '2031-03-01T00:00:00Z' },
    });
    expectError(backwards, 400, 'validation_failed');
  });

  it('updating location moves the coordinates: an event moved from Rishikesh to Goa is found near Goa, not near Rishikesh', async () => {
    const event = await createEventAs(admin, {
      facilitator_id: facilitator.facilitatorId,
      location: 'Rishikesh',
      latitude: undefined,
      longitude: undefined,
    });
    expect(event.latitude).toBeCloseTo(30.108, 3);
    const near = (lat: number, lng: number) =>
      call('GET', `/events/nearby?lat=${lat}&lng=${lng}&radius=50&limit=100`).then((r) =>
        r.json.nearby_events.map((e: { id: number }) => e.id),
      );
    expect(await near(30.0869, 78.2676)).toContain(event.id);

    const moved = await call('PATCH', `/events/${event.id}`, { token: admin, body: { location: 'Goa' } });
    expect(moved.json.event).toMatchObject({
      location: 'Goa',
      latitude: 15.2993,
      longitude: 74.124,
      location_status: 'resolved',
    });
    expect(await near(15.2993, 74.124)).toContain(event.id);
    expect(await near(30.0869, 78.2676)).not.toContain(event.id);
  });

  it('an unknown new location is 422 and the event keeps its old place; explicit coordinates win; Online clears them', async () => {
    const event = await createEventAs(facilitator.token, { location: 'Delhi', latitude: 28.6139, longitude: 77.209 });
    expectError(
      await call('PATCH', `/events/${event.id}`, { token: facilitator.token, body: { location: 'Qwxyzzy Village' } }),
      422,
      'location_not_found',
    );
    expect((await call('GET', `/events/${event.id}`)).json.event).toMatchObject({ location: 'Delhi', latitude: 28.6139 });
    const pinned = await call('PATCH', `/events/${event.id}`, {
      token: facilitator.token,
      body: { location: 'My studio', latitude: 28.5, longitude: 77.1 },
    });
    expect(pinned.json.event).toMatchObject({
      location: 'My studio',
      latitude: 28.5,
      longitude: 77.1,
      location_status: 'resolved',
    });
    const online = await call('PATCH', `/events/${event.id}`, { token: facilitator.token, body: { location: 'ONLINE' } });
    expect(online.json.event).toMatchObject({ latitude: null, longitude: null, location_status: 'online' });
  });

  it('lowering capacity below the seats taken is 409 capacity_below_bookings and changes nothing', async () => {
    const event = await createEventAs(facilitator.token, { capacity: 10 });
    await env.DB.prepare('UPDATE events SET booked_count = 6 WHERE id = ?').bind(event.id).run();
    const res = await call('PATCH', `/events/${event.id}`, { token: facilitator.token, body: { capacity: 5, title: 'Smaller' } });
    expectError(res, 409, 'capacity_below_bookings');
    expect((await call('GET', `/events/${event.id}`)).json.event).toMatchObject({ capacity: 10, title: 'Morning Meditation' });
    const exact = await call('PATCH', `/events/${event.id}`, { token: facilitator.token, body: { capacity: 6 } });
    expect(exact.json.event).toMatchObject({ capacity: 6, booked_count: 6, seats_left: 0 });
    const unlimited = await call('PATCH', `/events/${event.id}`, { token: facilitator.token, body: { capacity: null } });
    expect(unlimited.json.event).toMatchObject({ capacity: null, seats_left: null });
  });

  it('status accepts only scheduled, completed, cancelled (any case); the update cannot set booked_count', async () => {
    const event = await createEventAs(facilitator.token);
    expectError(
      await call('PATCH', `/events/${event.id}`, { token: facilitator.token, body: { status: 'rescheduled' } }),
      400,
      'validation_failed',
    );
    const done = await call('PATCH', `/events/${event.id}`, {
      token: facilitator.token,
      body: { status: 'Completed', booked_count: 99 },
    });
    expect(done.json.event).toMatchObject({ status: 'completed', booked_count: 0 });
    const cancelled = await call('PATCH', `/events/${event.id}`, { token: facilitator.token, body: { status: 'cancelled' } });
    expect(cancelled.json.event.status).toBe('cancelled');
    const row = await env.DB.prepare('SELECT cancelled_at FROM events WHERE id = ?')
      .bind(event.id)
      .first<{ cancelled_at: number }>();
    expect(row!.cancelled_at).toEqual(expect.any(Number));
  });

  it('a missing event is 404', async () => {
    expectError(await call('PATCH', '/events/99999999', { token: admin, body: { title: 'x' } }), 404, 'not_found');
  });
});

describe('DELETE /events/:id', () => {
  it('is a soft delete: the event stays, cancelled, with cancelled_at; a second delete answers the same', async () => {
    const event = await createEventAs(facilitator.token);
    const res = await call('DELETE', `/events/${event.id}`, { token: facilitator.token });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ msg: 'Event cancelled', event: { id: event.id, status: 'cancelled' } });
    const row = await env.DB.prepare('SELECT status, cancelled_at FROM events WHERE id = ?')
      .bind(event.id)
      .first<{ status: string; cancelled_at: number }>();
    expect(row).toEqual({ status: 'cancelled', cancelled_at: expect.any(Number) });
    const again = await call('DELETE', `/events/${event.id}`, { token: admin });
    expect(again.status).toBe(200);
    expect(again.json.event.updated_at).toBe(res.json.event.updated_at);
    expectError(await call('DELETE', '/events/99999999', { token: admin }), 404, 'not_found');
  });
});

describe('GET /events/:id/bookings', () => {
  it('lists every booking with the booker’s id, name and email, for the event’s facilitator and admins', async () => {
    const event = await createEventAs(facilitator.token, { price: 0 });
    const guest = await registerAndLogin('Guest Booker');
    const booked = await call('POST', '/book', { token: guest.token, body: { event_id: event.id } });
    expect(booked.status).toBe(201);
    for (const token of [facilitator.token, admin]) {
      const res = await call('GET', `/events/${event.id}/bookings`, { token });
      expect(res.status).toBe(200);
      expect(res.json.bookings).toEqual([
        expect.objectContaining({
          id: booked.json.booking.id,
          event_id: event.id,
          status: 'confirmed',
          user: { id: guest.user.id, name: 'Guest Booker', email: guest.email },
          event: expect.objectContaining({ id: event.id, booked_count: 1 }),
        }),
      ]);
      expect(res.text).not.toMatch(/password|hash|salt/i);
    }
    expectError(await call('GET', '/events/99999999/bookings', { token: admin }), 404, 'not_found');
  });
});
