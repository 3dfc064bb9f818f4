import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDb } from '../../src/db/client';
import { fillPendingLocation } from '../../src/modules/geo/jobs';
import { geocoderSettings } from '../../src/modules/geo/geocoding';
import { extendSeries } from '../../src/modules/series/generate';
import { loginAs, registerFacilitator } from '../support/api';
import { createUsers, outboxRowsFor, setEventStart } from '../support/fixtures';
import { call, callWithEnv, expectError } from '../support/http';

const DAY = 86_400_000;
let admin: string;
let facilitator: { token: string; facilitatorId: number };
let other: { token: string; facilitatorId: number };
let member: string;

/** The next Monday (UTC) at least `weeks` weeks ahead, at hh:mm UTC. */
function nextMonday(weeks: number, hh: number, mm = 0) {
  const d = new Date(Date.now() + weeks * 7 * DAY);
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7));
  d.setUTCHours(hh, mm, 0, 0);
  return d;
}

const seriesBody = (overrides: Record<string, unknown> = {}) => ({
  title: 'Morning Yoga',
  type: 'Yoga',
  starts_at: nextMonday(1, 1, 30).toISOString(),
  duration_minutes: 60,
  timezone: 'Asia/Kolkata',
  latitude: 12.97,
  longitude: 77.59,
  capacity: 10,
  rrule: 'FREQ=WEEKLY;COUNT=8',
  facilitator_id: facilitator.facilitatorId,
  ...overrides,
});

async function createSeries(overrides: Record<string, unknown> = {}, token = admin) {
  const res = await call('POST', '/series', { token, body: seriesBody(overrides) });
  expect(res.status, res.text).toBe(201);
  return res.json as { series: Record<string, any>; events: Array<Record<string, any>> };
}

beforeAll(async () => {
  admin = (await loginAs('admin')).token;
  facilitator = await registerFacilitator(admin, 'Series Facilitator');
  other = await registerFacilitator(admin, 'Other Facilitator');
  member = (await loginAs('member')).token;
});

describe('POST /series', () => {
  it('creates the series and its occurrences as events with series_id, listed by GET /events?series_id=', async () => {
    const { series, events } = await createSeries({ rrule: 'FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=6' });
    expect(series).toMatchObject({
      title: 'Morning Yoga',
      status: 'active',
      occurrence_count: 6,
      rrule: 'FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=6',
    });
    expect(events).toHaveLength(6);
    expect(new Set(events.map((e) => e.series_id))).toEqual(new Set([series.id]));
    expect(events.map((e) => new Date(e.starts_at).getUTCDay())).toEqual([1, 3, 5, 1, 3, 5]);
    expect(new Set(events.map((e) => e.starts_at.slice(11)))).toEqual(new Set(['01:30:00.000Z'])); // 07:00 in Kolkata
    const listed = await call('GET', `/events?series_id=${series.id}`);
    expect(listed.json.events.map((e: any) => e.id)).toEqual(events.map((e) => e.id));
    const read = await call('GET', `/series/${series.id}`);
    expect(read.status).toBe(200);
    expect(read.json.events.map((e: any) => e.id)).toEqual(events.map((e) => e.id));
  });

  it('carries its cancellation policy to every occurrence; PATCH changes the upcoming ones, not existing bookings', async () => {
    const { series, events } = await createSeries({
      cancellation_cutoff_hours: 24,
      late_cancel_refund_percent: 50,
      rrule: 'FREQ=WEEKLY;COUNT=3',
    });
    expect(series).toMatchObject({ cancellation_cutoff_hours: 24, late_cancel_refund_percent: 50 });
    for (const event of events) expect(event).toMatchObject({ cancellation_cutoff_hours: 24, late_cancel_refund_percent: 50 });
    const booked = await call('POST', `/series/${series.id}/book`, { token: member });
    expect(booked.status).toBe(201);
    expect(booked.json.bookings[0].policy).toEqual({
      cutoff_at: new Date(Date.parse(events[0]!.starts_at) - 24 * 3_600_000).toISOString(),
      late_cancel_refund_percent: 50,
    });
    const patched = await call('PATCH', `/series/${series.id}`, { token: admin, body: { late_cancel_refund_percent: 0 } });
    expect(patched.status).toBe(200);
    const read = await call('GET', `/series/${series.id}`);
    expect(read.json.events.map((e: any) => e.late_cancel_refund_percent)).toEqual([0, 0, 0]);
    const booking = await call('GET', `/bookings/${booked.json.bookings[0].id}`, { token: member });
    expect(booking.json.booking.policy.late_cancel_refund_percent).toBe(50);
  });

  it('keeps 07:00 London wall-clock time across the switch to summer time', async () => {
    const year = new Date().getUTCFullYear() + 1;
    const { events } = await createSeries({
      starts_at: `${year}-03-15T07:00:00Z`,
      timezone: 'Europe/London',
      rrule: 'FREQ=WEEKLY;COUNT=4',
    });
    expect(events.map((e) => e.starts_at.slice(11, 16))).toEqual(['07:00', '07:00', '06:00', '06:00']);
  });

  it('makes an open-ended series SERIES_HORIZON_DAYS ahead, and the cron extends it without duplicates', async () => {
    const { series, events } = await createSeries({ rrule: 'FREQ=DAILY', capacity: null });
    const horizon = Number(env.SERIES_HORIZON_DAYS);
    const last = new Date(events[events.length - 1]!.starts_at).getTime();
    expect(last).toBeLessThan(Date.now() + horizon * DAY);
    expect(last).toBeGreaterThan(Date.now() + (horizon - 2) * DAY);
    const db = createDb(env.DB);
    const later = new Date(Date.now() + 10 * DAY);
    const count = async () => (await call('GET', `/series/${series.id}`)).json.series.occurrence_count as number;
    const before = await count();
    await extendSeries(db, env, later);
    const afterOne = await count();
    expect(afterOne - before).toBeGreaterThanOrEqual(9);
    await extendSeries(db, env, later);
    await Promise.all([extendSeries(db, env, later), extendSeries(db, env, later)]);
    expect(await count()).toBe(afterOne);
    const { results } = await env.DB.prepare(
      'SELECT starts_at, count(*) AS n FROM events WHERE series_id = ? GROUP BY starts_at HAVING n > 1',
    )
      .bind(series.id)
      .all();
    expect(results).toEqual([]);
  });

  it('makes at most 365 occurrences at once; the cron makes the rest once they come within the horizon', async () => {
    const until = new Date(Date.now() + 500 * DAY).toISOString().slice(0, 10).replaceAll('-', '');
    const { series } = await createSeries({ rrule: `FREQ=DAILY;UNTIL=${until}`, capacity: null });
    expect(series.occurrence_count).toBe(365);
    const db = createDb(env.DB);
    await extendSeries(db, env, new Date());
    expect((await call('GET', `/series/${series.id}`)).json.series.occurrence_count).toBe(365);
    await extendSeries(db, env, new Date(Date.now() + 300 * DAY));
    // Every day from the first occurrence through the UNTIL date, and not one more.
    const untilEnd = Date.UTC(+until.slice(0, 4), +until.slice(4, 6) - 1, +until.slice(6, 8) + 1);
    const expected = Math.floor((untilEnd - new Date(series.starts_at).getTime()) / DAY) + 1;
    expect(expected).toBeGreaterThan(365);
    expect((await call('GET', `/series/${series.id}`)).json.series.occurrence_count).toBe(expected);
  });

  it.each([
    'FREQ=MONTHLY',
    'FREQ=WEEKLY;BYMONTH=3',
    'FREQ=WEEKLY;BYSETPOS=1',
    'FREQ=DAILY;BYDAY=MO',
    'FREQ=WEEKLY;COUNT=400',
    'FREQ=WEEKLY;UNTIL=20990101',
    'garbage',
  ])('is 400 validation_failed naming rrule for %j', async (rrule) => {
    const res = await call('POST', '/series', { token: admin, body: seriesBody({ rrule }) });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.issues.map((i: any) => i.path)).toContain('rrule');
  });

  it('needs timezone, and a first occurrence in the future', async () => {
    const { timezone: _t, ...noZone } = seriesBody();
    expectError(await call('POST', '/series', { token: admin, body: noZone }), 400, 'validation_failed');
    const past = await call('POST', '/series', {
      token: admin,
      body: seriesBody({ starts_at: new Date(Date.now() - DAY).toISOString() }),
    });
    expect(expectError(past, 400, 'validation_failed').issues[0].path).toBe('starts_at');
  });

  it('roles: a member is 403, a facilitator for another 403, a facilitator for itself 201, no token 401', async () => {
    expectError(await call('POST', '/series', { token: member, body: seriesBody() }), 403, 'forbidden');
    expectError(await call('POST', '/series', { token: other.token, body: seriesBody() }), 403, 'forbidden');
    expectError(await call('POST', '/series', { body: seriesBody() }), 401, 'unauthorized');
    const own = await call('POST', '/series', { token: facilitator.token, body: seriesBody({ facilitator_id: undefined }) });
    expect(own.status).toBe(201);
    expect(own.json.series.facilitator_id).toBe(facilitator.facilitatorId);
    expectError(
      await call('PATCH', `/series/${own.json.series.id}`, { token: other.token, body: { title: 'x' } }),
      403,
      'forbidden',
    );
    expectError(await call('DELETE', `/series/${own.json.series.id}`, { token: member }), 403, 'forbidden');
    expect(
      (await call('PATCH', `/series/${own.json.series.id}`, { token: facilitator.token, body: { title: 'Mine' } })).status,
    ).toBe(200);
  });
});

describe('the series location', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is geocoded once; every occurrence shares the coordinates', async () => {
    const { series, events } = await createSeries({ latitude: undefined, longitude: undefined, location: 'Goa' });
    expect(series).toMatchObject({ location: 'Goa' });
    expect(new Set(events.map((e) => `${e.latitude},${e.longitude},${e.location_status}`))).toEqual(
      new Set([`${series.latitude},${series.longitude},resolved`]),
    );
  });

  it('while Google is down: occurrences wait as pending, and a job fills them and the series', async () => {
    const google = { GOOGLE_MAPS_API_KEY: 'k', GOOGLE_GEOCODING_URL: 'https://maps.example.test/geocode/json' };
    const sent: unknown[] = [];
    const jobs = { send: async (body: unknown) => void sent.push(body), sendBatch: async () => undefined };
    const down = vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('network down'));
    const place = `Series Ashram ${Date.now()}`;
    const res = await callWithEnv({ ...google, JOBS_QUEUE: jobs as unknown as Queue }, 'POST', '/series', {
      token: admin,
      body: seriesBody({ latitude: undefined, longitude: undefined, location: place, rrule: 'FREQ=WEEKLY;COUNT=3' }),
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json.events.map((e: any) => e.location_status)).toEqual(['pending', 'pending', 'pending']);
    expect(sent).toHaveLength(3);
    down.mockResolvedValue(
      Response.json({ status: 'OK', results: [{ formatted_address: place, geometry: { location: { lat: 11.1, lng: 76.6 } } }] }),
    );
    const db = createDb(env.DB);
    for (const event of res.json.events)
      expect(await fillPendingLocation(db, geocoderSettings({ ...env, ...google }), event.id)).toBe('done');
    const after = (await call('GET', `/series/${res.json.series.id}`)).json;
    expect(after.series).toMatchObject({ latitude: 11.1, longitude: 76.6 });
    expect(new Set(after.events.map((e: any) => `${e.latitude},${e.location_status}`))).toEqual(new Set(['11.1,resolved']));
  });
});

describe('PATCH and DELETE /series/:id', () => {
  it('PATCH changes the named fields of upcoming occurrences only; an occurrence’s own edit of another field stays', async () => {
    const { series, events } = await createSeries();
    await setEventStart(events[0]!.id, new Date(Date.now() - DAY)); // now in the past
    const exception = events[1]!.id;
    expect((await call('PATCH', `/events/${exception}`, { token: admin, body: { title: 'Special edition' } })).status).toBe(200);
    const res = await call('PATCH', `/series/${series.id}`, { token: admin, body: { capacity: 12, description: 'New' } });
    expect(res.status, res.text).toBe(200);
    expect(res.json.msg).toBe('Series updated');
    expect(res.json.series.capacity).toBe(12);
    const byId = new Map(res.json.events.map((e: any) => [e.id, e]));
    expect(byId.has(events[0]!.id)).toBe(false);
    expect(byId.get(exception)).toMatchObject({ title: 'Special edition', capacity: 12, description: 'New' });
    const past = (await call('GET', `/events/${events[0]!.id}`)).json.event;
    expect(past).toMatchObject({ capacity: 10, description: '' });
  });

  it('PATCH of a higher capacity gives the new seats to each occurrence’s waitlist, in order', async () => {
    const { series, events } = await createSeries({ rrule: 'FREQ=WEEKLY;COUNT=2', capacity: 1 });
    const [first, second, third] = await createUsers(3);
    await call('POST', '/book', { token: first!.token, body: { event_id: events[0]!.id } });
    const w1 = await call('POST', '/book', { token: second!.token, body: { event_id: events[0]!.id, waitlist: true } });
    const w2 = await call('POST', '/book', { token: third!.token, body: { event_id: events[0]!.id, waitlist: true } });
    expect([w1.json.booking.status, w2.json.booking.status]).toEqual(['waitlisted', 'waitlisted']);
    expect((await call('PATCH', `/series/${series.id}`, { token: admin, body: { capacity: 2 } })).status).toBe(200);
    const after = async (id: number, token: string) => (await call('GET', `/bookings/${id}`, { token })).json.booking.status;
    expect(await after(w1.json.booking.id, second!.token)).toBe('confirmed');
    expect(await after(w2.json.booking.id, third!.token)).toBe('waitlisted');
    const messages = await outboxRowsFor({ bookingIds: [w1.json.booking.id] });
    expect(messages.map((m) => m.type)).toEqual(['booking.created', 'booking.promoted']);
  });

  it('PATCH of the place tells the CRM once per upcoming occurrence (event.rescheduled)', async () => {
    const { series, events } = await createSeries({ rrule: 'FREQ=WEEKLY;COUNT=3' });
    const res = await call('PATCH', `/series/${series.id}`, { token: admin, body: { location: 'Goa' } });
    expect(res.status).toBe(200);
    expect(new Set(res.json.events.map((e: any) => e.location))).toEqual(new Set(['Goa']));
    for (const event of events) {
      const rows = (await outboxRowsFor({ eventId: event.id })).filter((m) => m.type === 'event.rescheduled');
      expect(rows, `event ${event.id}`).toHaveLength(1);
    }
  });

  it('moving one occurrence onto another’s start is 409 occurrence_conflict, and nothing moves', async () => {
    const { events } = await createSeries({ rrule: 'FREQ=WEEKLY;COUNT=2' });
    const res = await call('PATCH', `/events/${events[1]!.id}`, { token: admin, body: { starts_at: events[0]!.starts_at } });
    expectError(res, 409, 'occurrence_conflict');
    expect((await call('GET', `/events/${events[1]!.id}`)).json.event.starts_at).toBe(events[1]!.starts_at);
  });

  it('PATCH below the seats taken on one occurrence is 409 and changes nothing', async () => {
    const { series, events } = await createSeries({ capacity: 3 });
    const users = await createUsers(3);
    for (const { token } of users)
      expect((await call('POST', '/book', { token, body: { event_id: events[2]!.id } })).status).toBe(201);
    expectError(
      await call('PATCH', `/series/${series.id}`, { token: admin, body: { capacity: 2, title: 'Smaller' } }),
      409,
      'capacity_below_bookings',
    );
    const read = await call('GET', `/series/${series.id}`);
    expect(read.json.series).toMatchObject({ capacity: 3, title: 'Morning Yoga' });
    expect(new Set(read.json.events.map((e: any) => e.capacity))).toEqual(new Set([3]));
  });

  it.each([
    ['rrule', 'FREQ=DAILY'],
    ['starts_at', '2030-01-01T00:00:00Z'],
    ['timezone', 'UTC'],
    ['duration_minutes', 90],
  ])('PATCH of %s is 400', async (field, value) => {
    const { series } = await createSeries({ rrule: 'FREQ=WEEKLY;COUNT=2' });
    const error = expectError(
      await call('PATCH', `/series/${series.id}`, { token: admin, body: { [field]: value } }),
      400,
      'validation_failed',
    );
    expect(error.issues[0].path).toBe(field);
  });

  it('DELETE cancels upcoming occurrences with the event cascade; past ones are untouched', async () => {
    const { series, events } = await createSeries({ rrule: 'FREQ=WEEKLY;COUNT=4' });
    await setEventStart(events[0]!.id, new Date(Date.now() - DAY));
    const [booker] = await createUsers(1);
    const booked = await call('POST', '/book', { token: booker!.token, body: { event_id: events[1]!.id } });
    const res = await call('DELETE', `/series/${series.id}`, { token: admin });
    expect(res.status).toBe(200);
    expect(res.json.msg).toBe('Series cancelled');
    expect(res.json.series.status).toBe('cancelled');
    expect(res.json.cancelled_event_ids).toEqual(events.slice(1).map((e) => e.id));
    expect((await call('GET', `/events/${events[0]!.id}`)).json.event.status).toBe('scheduled');
    const booking = (await call('GET', `/bookings/${booked.json.booking.id}`, { token: booker!.token })).json.booking;
    expect(booking).toMatchObject({ status: 'cancelled', cancel_reason: 'event_cancelled' });
    const messages = await outboxRowsFor({ bookingIds: [booking.id] });
    expect(messages.map((m) => m.type)).toEqual(['booking.created', 'booking.cancelled']);
    const again = await call('DELETE', `/series/${series.id}`, { token: admin });
    expect(again.json.cancelled_event_ids).toEqual([]);
    expectError(await call('POST', `/series/${series.id}/book`, { token: member }), 409, 'event_not_bookable');
  });
});

describe('POST /series/:id/book', () => {
  it('books every upcoming occurrence, skipping those already held; then 409 already_booked', async () => {
    const { series, events } = await createSeries({ rrule: 'FREQ=WEEKLY;COUNT=4' });
    const [user] = await createUsers(1);
    await call('POST', '/book', { token: user!.token, body: { event_id: events[2]!.id } });
    const res = await call('POST', `/series/${series.id}/book`, { token: user!.token });
    expect(res.status, res.text).toBe(201);
    expect(res.json.msg).toBe('Series booked');
    expect(res.json.bookings.map((b: any) => b.event_id).sort()).toEqual([events[0]!.id, events[1]!.id, events[3]!.id].sort());
    const messages = await outboxRowsFor({ bookingIds: res.json.bookings.map((b: any) => b.id) });
    expect(messages.map((m) => m.type)).toEqual(['booking.created', 'booking.created', 'booking.created']);
    expectError(await call('POST', `/series/${series.id}/book`, { token: user!.token }), 409, 'already_booked');
  });

  it('is all or nothing: one full occurrence is 409 event_full and books none', async () => {
    const { series, events } = await createSeries({ rrule: 'FREQ=WEEKLY;COUNT=3', capacity: 1 });
    const [first, second] = await createUsers(2);
    await call('POST', '/book', { token: first!.token, body: { event_id: events[1]!.id } });
    expectError(await call('POST', `/series/${series.id}/book`, { token: second!.token }), 409, 'event_full');
    const mine = await call('GET', '/my-bookings', { token: second!.token });
    expect(mine.json.upcoming_bookings).toEqual([]);
  });

  it('counts each occurrence toward the per-user cap, and a paid series is 402', async () => {
    const { series } = await createSeries({ rrule: 'FREQ=DAILY;COUNT=25', capacity: null });
    const [user] = await createUsers(1);
    expectError(await call('POST', `/series/${series.id}/book`, { token: user!.token }), 409, 'booking_limit_reached');
    const paid = await createSeries({ price: 50000 });
    expectError(await call('POST', `/series/${paid.series.id}/book`, { token: user!.token }), 402, 'payment_required');
    expectError(await call('POST', '/series/999999/book', { token: user!.token }), 404, 'not_found');
  });

  it('30 members racing for a 10-seat weekly series of 8: exactly 10 hold all 8, nobody a part, nothing overbooked', async () => {
    const { series, events } = await createSeries({ rrule: 'FREQ=WEEKLY;COUNT=8', capacity: 10 });
    const users = await createUsers(30);
    const responses = await Promise.all(users.map(({ token }) => call('POST', `/series/${series.id}/book`, { token })));
    const outcomes: Record<string, number> = {};
    for (const r of responses)
      outcomes[`${r.status} ${r.json.code ?? r.json.msg}`] = (outcomes[`${r.status} ${r.json.code ?? r.json.msg}`] ?? 0) + 1;
    console.log(`series concurrency: members=30 seats=10 occurrences=8 outcomes=${JSON.stringify(outcomes)}`);
    expect(outcomes).toEqual({ '201 Series booked': 10, '409 event_full': 20 });
    const { results } = await env.DB.prepare(
      `SELECT user_id, count(*) AS n FROM bookings WHERE status = 'confirmed'
       AND event_id IN (SELECT id FROM events WHERE series_id = ?) GROUP BY user_id`,
    )
      .bind(series.id)
      .all<{ user_id: number; n: number }>();
    expect(results).toHaveLength(10);
    expect(new Set(results.map((r) => r.n))).toEqual(new Set([8]));
    const counts = await env.DB.prepare('SELECT booked_count, capacity FROM events WHERE series_id = ?').bind(series.id).all<{
      booked_count: number;
      capacity: number;
    }>();
    expect(counts.results.map((r) => r.booked_count)).toEqual(events.map(() => 10));
  });
});
