import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  createBooking,
  createEvent,
  createFacilitator,
  createEvents,
  createUser,
  createUsers,
  hoursFromNow,
} from '../support/fixtures';
import { call, expectError } from '../support/http';

/** Every list that can grow without end is read with a SQL LIMIT and paged with a cursor; the old keys stay. */

async function allPages(
  first: string,
  key: string,
  next: (json: any) => string | null,
  path: (cursor: string) => string,
  token?: string,
) {
  const seen: any[] = [];
  let res = await call('GET', first, { token });
  for (let pages = 0; pages < 50; pages++) {
    expect(res.status, res.text).toBe(200);
    seen.push(...res.json[key]);
    const cursor = next(res.json);
    if (cursor === null) return { seen, pages: pages + 1 };
    res = await call('GET', path(cursor), { token });
  }
  throw new Error('too many pages');
}

describe('GET /facilitators', () => {
  it('pages by id with limit and next_cursor; the default page is at most 100', async () => {
    for (let i = 0; i < 9; i++) await createFacilitator(`Paged ${i}`);
    const first = await call('GET', '/facilitators?limit=2');
    expect(first.json.facilitators).toHaveLength(2);
    expect(first.json.next_cursor).toEqual(expect.any(String));
    const { seen } = await allPages(
      '/facilitators?limit=7',
      'facilitators',
      (json) => json.next_cursor,
      (cursor) => `/facilitators?limit=7&cursor=${cursor}`,
    );
    const ids = seen.map((f) => f.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    const total = await env.DB.prepare('SELECT count(*) AS n FROM facilitators WHERE id <= ?').bind(ids.at(-1)).first('n');
    expect(ids.length).toBe(total);
    const all = await call('GET', '/facilitators');
    expect(all.json.facilitators.length).toBeLessThanOrEqual(100);
    expectError(await call('GET', '/facilitators?limit=101'), 400, 'validation_failed');
    expectError(await call('GET', '/facilitators?cursor=junk'), 400, 'validation_failed');
  });
});

describe('GET /events/:id/bookings (roster)', () => {
  it('pages the roster by booking id; a page is at most 100 even for a bigger event', async () => {
    const admin = await createUser('admin');
    const event = await createEvent({ startsAt: hoursFromNow(48), capacity: null });
    const members = await createUsers(105);
    const ids: number[] = [];
    for (const member of members) ids.push(await createBooking(member.id, event.id));
    const first = await call('GET', `/events/${event.id}/bookings`, { token: admin.token });
    expect(first.status).toBe(200);
    expect(first.json.bookings).toHaveLength(100);
    expect(first.json.bookings[0].user).toEqual(expect.objectContaining({ id: members[0]!.id }));
    const second = await call('GET', `/events/${event.id}/bookings?cursor=${first.json.next_cursor}`, { token: admin.token });
    expect(second.json.bookings.map((b: any) => b.id)).toEqual(ids.slice(100));
    expect(second.json.next_cursor).toBeNull();
  });
});

describe('GET /my-bookings', () => {
  it('keeps upcoming_bookings and past_bookings, each one page of limit, in their order, with cursors for the rest', async () => {
    const member = await createUser();
    const future = await createEvents([1, 2, 3].map((d) => ({ startsAt: hoursFromNow(24 * d) })));
    const pastEvents = await createEvents([1, 2, 3].map((d) => ({ startsAt: hoursFromNow(-24 * d) })));
    for (const event of [...future, ...pastEvents]) await createBooking(member.id, event.id);

    const first = await call('GET', '/my-bookings?limit=2', { token: member.token });
    expect(first.status).toBe(200);
    expect(first.json.upcoming_bookings.map((b: any) => b.event_id)).toEqual([future[0]!.id, future[1]!.id]);
    expect(first.json.past_bookings.map((b: any) => b.event_id)).toEqual([pastEvents[0]!.id, pastEvents[1]!.id]);
    const next = await call(
      'GET',
      `/my-bookings?limit=2&upcoming_cursor=${first.json.next_upcoming_cursor}&past_cursor=${first.json.next_past_cursor}`,
      { token: member.token },
    );
    expect(next.json.upcoming_bookings.map((b: any) => b.event_id)).toEqual([future[2]!.id]);
    expect(next.json.past_bookings.map((b: any) => b.event_id)).toEqual([pastEvents[2]!.id]);
    expect([next.json.next_upcoming_cursor, next.json.next_past_cursor]).toEqual([null, null]);

    const all = await call('GET', '/my-bookings', { token: member.token });
    expect(all.json.upcoming_bookings).toHaveLength(3);
    expect(all.json.past_bookings).toHaveLength(3);
    expectError(await call('GET', '/my-bookings?limit=0', { token: member.token }), 400, 'validation_failed');
    expectError(await call('GET', '/my-bookings?past_cursor=abc', { token: member.token }), 400, 'validation_failed');
  });
});
