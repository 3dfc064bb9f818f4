import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_ACTIVE_BOOKINGS } from '../../src/modules/bookings/limit';
import { expectError } from '../support/http';
import { createFacilitatorAccount, createUser, hoursFromNow, setEventStart, type UserFixture } from '../support/fixtures';
import { hardeningEvent, inHardeningDb } from './world';
import { hardCall } from './client';
import { changedTables, hardeningDb, prepareHardeningDb, snapshot } from './isolated-db';

/**
 * OWASP API6 (unrestricted access to sensitive business flows): one account must not be able to hold every seat.
 * MAX_ACTIVE_BOOKINGS_PER_USER caps active bookings (confirmed, waitlisted, payment holds) on upcoming events; the
 * cap is a condition of the booking INSERT itself, so parallel requests cannot overshoot it.
 */

const CAP = 3;
const vars = { MAX_ACTIVE_BOOKINGS_PER_USER: String(CAP) };
let facilitatorId: number;

beforeAll(async () => {
  await prepareHardeningDb();
  facilitatorId = (await createFacilitatorAccount('Cap Facilitator', { ...inHardeningDb, bio: 'Hardening bio' })).facilitatorId;
});
afterEach(() => vi.restoreAllMocks());

const events = (n: number, options: { price?: number; startsAt?: Date; capacity?: number } = {}) =>
  Promise.all(Array.from({ length: n }, () => hardeningEvent({ facilitatorId, ...options })));

async function book(user: UserFixture, eventId: number, extra: Record<string, unknown> = {}) {
  return hardCall('POST', '/book', { token: user.token, body: { event_id: eventId, ...extra }, vars });
}

describe('API6: a per-user cap on active bookings', () => {
  it('the default is 20 and wrangler.toml says so', () => {
    expect(DEFAULT_MAX_ACTIVE_BOOKINGS).toBe(20);
    expect(env.MAX_ACTIVE_BOOKINGS_PER_USER).toBe('20');
  });

  it('the booking over the cap is 409 booking_limit_reached and writes nothing; cancelling one frees a place', async () => {
    const user = await createUser('member', inHardeningDb);
    const ids = await events(CAP + 1);
    const booked = [];
    for (const id of ids.slice(0, CAP)) {
      const res = await book(user, id);
      expect(res.status).toBe(201);
      booked.push(res.json.booking.id as number);
    }
    const before = await snapshot();
    const over = await book(user, ids[CAP]!);
    expectError(over, 409, 'booking_limit_reached');
    expect(changedTables(before, await snapshot())).toEqual([]);

    const cancel = await hardCall('DELETE', `/cancel-booking/${booked[0]}`, { token: user.token, vars });
    expect(cancel.status).toBe(200);
    expect((await book(user, ids[CAP]!)).status).toBe(201);
  });

  it('waitlist places count, since they are claims on seats too', async () => {
    const user = await createUser('member', inHardeningDb);
    const other = await createUser('member', inHardeningDb);
    const [full] = await events(1, { capacity: 1 });
    expect((await book(other, full!)).status).toBe(201);
    expect((await book(user, full!, { waitlist: true })).json.booking.status).toBe('waitlisted');
    for (const id of await events(CAP - 1)) expect((await book(user, id)).status).toBe(201);
    expectError(await book(user, (await events(1))[0]!), 409, 'booking_limit_reached');
  });

  it('bookings of events that have started do not count', async () => {
    const user = await createUser('member', inHardeningDb);
    const [past] = await events(1, { startsAt: hoursFromNow(1) });
    for (const id of [past!, ...(await events(CAP - 1))]) expect((await book(user, id)).status).toBe(201);
    // The event starts: its booking stops counting toward the cap.
    await setEventStart(past!, new Date(Date.now() - 60_000), hardeningDb);
    expect((await book(user, (await events(1))[0]!)).status).toBe(201);
  });

  it('twelve parallel bookings of twelve events by one account: exactly the cap succeeds', async () => {
    const user = await createUser('member', inHardeningDb);
    const ids = await events(12);
    const results = await Promise.all(ids.map((id) => book(user, id)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(CAP);
    for (const r of results.filter((r) => r.status !== 201)) expectError(r, 409, 'booking_limit_reached');
    const row = await hardeningDb
      .prepare(`SELECT count(*) AS n FROM bookings WHERE user_id = ? AND status <> 'cancelled'`)
      .bind(user.id)
      .first<{ n: number }>();
    expect(row!.n).toBe(CAP);
  });

  it('a payment hold counts too: at the cap, /create-payment is 409 before any provider is called', async () => {
    const user = await createUser('member', inHardeningDb);
    for (const id of await events(CAP)) expect((await book(user, id)).status).toBe(201);
    const [paid] = await events(1, { price: 50_000 });
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const res = await hardCall('POST', '/create-payment', {
      token: user.token,
      body: { event_id: paid, provider: 'razorpay' },
      vars,
    });
    expectError(res, 409, 'booking_limit_reached');
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('another account is not affected by one account reaching its cap', async () => {
    const greedy = await createUser('member', inHardeningDb);
    const ids = await events(CAP + 1);
    for (const id of ids.slice(0, CAP)) expect((await book(greedy, id)).status).toBe(201);
    const other = await createUser('member', inHardeningDb);
    expect((await book(other, ids[0]!)).status).toBe(201);
  });
});
