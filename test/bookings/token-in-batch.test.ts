import { beforeAll, describe, expect, it } from 'vitest';
import { loginAs, registerAndLogin, registerFacilitator } from '../support/api';
import { createEvent, PASSWORD } from '../support/fixtures';
import { call, expectError } from '../support/http';
import { hardCall } from '../hardening/client';
import { hardeningDb, prepareHardeningDb } from '../hardening/isolated-db';
import { createWorld } from '../hardening/world';

/**
 * POST /book checks the access token inside its booking batch (route mark userCheck: 'in-batch'): one D1 round trip
 * books, and a token that stopped being current (password changed, logged out everywhere, account deleted: each
 * raises the user's token_version) books nothing and is 401, whatever else is wrong with the request.
 */

beforeAll(async () => {
  await prepareHardeningDb();
});

const makeStale = (userId: number) =>
  hardeningDb.prepare('UPDATE users SET token_version = token_version + 1 WHERE id = ?').bind(userId).run();

const bookingsOn = async (eventId: number) =>
  (await hardeningDb.prepare('SELECT count(*) AS n FROM bookings WHERE event_id = ?').bind(eventId).first<{ n: number }>())!.n;

describe('POST /book checks the access token in its batch', () => {
  it('books in one D1 round trip: the batch, with the token check inside it', async () => {
    const world = await createWorld();
    const res = await hardCall('POST', '/book', { token: world.otherMember.token, body: { event_id: world.freeEvent } });
    expect(res.status, res.text).toBe(201);
    expect(res.d1.trips.map((trip) => trip.kind)).toEqual(['batch']);
    expect(res.d1.trips[0]!.sql.join('\n')).toMatch(/token_user\.token_version/);
    expect(res.crm.map((message) => (message as { type: string }).type)).toEqual(['booking.created']);
  });

  it.each([
    ['a bookable event', (event: number) => ({ event_id: event })],
    ['a waitlist request', (event: number) => ({ event_id: event, waitlist: true })],
    ['an event that does not exist', () => ({ event_id: 999_999 })],
    ['an invalid body', () => ({ event_id: 'seven' })],
  ])('a stale token on %s is 401 and books nothing', async (_label, body) => {
    const world = await createWorld();
    await makeStale(world.otherMember.id);
    const res = await hardCall('POST', '/book', { token: world.otherMember.token, body: body(world.freeEvent) });
    expectError(res, 401, 'unauthorized');
    expect(await bookingsOn(world.freeEvent)).toBe(0);
    expect(res.crm).toEqual([]);
  });

  it('a stale token with an Idempotency-Key is 401, not the earlier answer replayed', async () => {
    const world = await createWorld();
    const request = {
      token: world.otherMember.token,
      body: { event_id: world.freeEvent },
      headers: { 'Idempotency-Key': crypto.randomUUID() },
    };
    expect((await hardCall('POST', '/book', request)).status).toBe(201);
    await makeStale(world.otherMember.id);
    expectError(await hardCall('POST', '/book', request), 401, 'unauthorized');
  });

  it('POST /series/:id/book: a stale token books no occurrence and is 401; a fresh one books them all', async () => {
    const session = await registerAndLogin();
    const admin = (await loginAs('admin')).token;
    const facilitator = await registerFacilitator(admin, 'Batch Check Facilitator');
    const created = await call('POST', '/series', {
      token: admin,
      body: {
        title: 'Batch check series',
        type: 'Yoga',
        starts_at: new Date(Date.now() + 2 * 86_400_000).toISOString(),
        duration_minutes: 60,
        timezone: 'Asia/Kolkata',
        latitude: 12.97,
        longitude: 77.59,
        capacity: 5,
        rrule: 'FREQ=WEEKLY;COUNT=3',
        facilitator_id: facilitator.facilitatorId,
      },
    });
    expect(created.status, created.text).toBe(201);
    const path = `/series/${created.json.series.id}/book`;
    const changed = await call('POST', '/password/change', {
      token: session.token,
      body: { current_password: PASSWORD, new_password: 'a-brand-new-password-123' },
    });
    expect(changed.status).toBe(200);
    expectError(await call('POST', path, { token: session.token }), 401, 'unauthorized');
    const login = await call('POST', '/login', { body: { email: session.email, password: 'a-brand-new-password-123' } });
    const booked = await call('POST', path, { token: login.json.access_token });
    expect(booked.status, booked.text).toBe(201);
    expect(booked.json.bookings).toHaveLength(3);
  });

  it('a password change ends the old token for POST /book at once', async () => {
    const session = await registerAndLogin();
    const event = await createEvent({ capacity: 5 });
    const changed = await call('POST', '/password/change', {
      token: session.token,
      body: { current_password: PASSWORD, new_password: 'a-brand-new-password-123' },
    });
    expect(changed.status).toBe(200);
    expectError(await call('POST', '/book', { token: session.token, body: { event_id: event.id } }), 401, 'unauthorized');
  });
});
