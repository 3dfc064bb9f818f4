import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/env';
import { CATALOGUE_MAX_AGE, catalogueCache } from '../../src/http/cache';
import { describeRoute, type RouteDoc } from '../../src/http/route-marks';
import { createEvent, createFacilitator, createUsers } from '../support/fixtures';
import { call } from '../support/http';

/** A stand-in route's marks: `cache` as the catalogue routes declare it, or nothing. */
const marks = (cache?: RouteDoc['cache']) => describeRoute({ summary: 'stand-in', tags: [], responses: {}, cache });
const sharedWithQueryOrigin = marks({ sharedWhen: (c) => c.req.query('lat') !== undefined && c.req.query('lng') !== undefined });

/**
 * The middleware on stand-in handlers carrying the catalogue routes' marks, so these tests pin the caching rules
 * independently of what the event and facilitator routes return.
 */
function catalogue() {
  let version = 1;
  const app = new Hono<AppEnv>()
    .use(catalogueCache)
    .get('/events', marks({}), (c) => c.json({ events: [{ id: 1, version }], next_cursor: null }))
    .get('/events/nearby', sharedWithQueryOrigin, (c) =>
      c.json({ nearby_events: [], origin: { lat: 1, lng: 2, source: 'query' } }),
    )
    .get('/events/:id', marks({}), (c) =>
      c.req.param('id') === '404' ? c.json({ code: 'not_found' }, 404) : c.json({ event: { id: 1 } }),
    )
    .get('/events/:id/bookings', marks(), (c) => c.json({ bookings: [] }))
    .get('/facilitators/:id', marks({}), (c) => c.json({ facilitator: { id: 1, name: 'A' } }))
    .post('/events', marks(), (c) => c.json({ msg: 'Event created' }, 201));
  return { app, bump: () => (version += 1) };
}

describe('catalogue caching', () => {
  it('gives an anonymous catalogue read a weak ETag and a short public max-age', async () => {
    const { app } = catalogue();
    const res = await app.request('/events/7');
    expect(res.status).toBe(200);
    expect(res.headers.get('ETag')).toMatch(/^W\/"[0-9a-f]{40}"$/);
    expect(res.headers.get('Cache-Control')).toBe(`public, max-age=${CATALOGUE_MAX_AGE}`);
    expect(res.headers.get('Vary')).toContain('Authorization');
    expect(res.headers.get('Vary')).toContain('Origin');
  });

  it('answers If-None-Match: * with 304, and a list without our tag with 200', async () => {
    const { app } = catalogue();
    expect((await app.request('/events/7', { headers: { 'If-None-Match': '*' } })).status).toBe(304);
    expect((await app.request('/events/7', { headers: { 'If-None-Match': 'W/"a", "b"' } })).status).toBe(200);
  });

  it('answers If-None-Match with 304, no body, and the validators and Cache-Control of the 200', async () => {
    const { app } = catalogue();
    const first = await app.request('/facilitators/1');
    const tag = first.headers.get('ETag')!;
    for (const sent of [tag, tag.replace(/^W\//, ''), `"other", ${tag}`]) {
      const res = await app.request('/facilitators/1', { headers: { 'If-None-Match': sent } });
      expect(res.status).toBe(304);
      expect(await res.text()).toBe('');
      expect(res.headers.get('ETag')).toBe(tag);
      expect(res.headers.get('Cache-Control')).toBe(first.headers.get('Cache-Control'));
      expect(res.headers.get('Vary')).toContain('Authorization');
    }
  });

  it('answers 200 with the new ETag once the content changed', async () => {
    const { app, bump } = catalogue();
    const tag = (await app.request('/events')).headers.get('ETag')!;
    bump();
    const res = await app.request('/events', { headers: { 'If-None-Match': tag } });
    expect(res.status).toBe(200);
    expect(res.headers.get('ETag')).not.toBe(tag);
    expect((await res.json()) as unknown).toEqual({ events: [{ id: 1, version: 2 }], next_cursor: null });
  });

  it('keeps answers to callers with a token private, since an admin sees more', async () => {
    const { app } = catalogue();
    const res = await app.request('/facilitators/1', { headers: { Authorization: 'Bearer x' } });
    expect(res.headers.get('Cache-Control')).toBe('private, no-cache');
    expect(res.headers.get('ETag')).toMatch(/^W\//);
  });

  it('keeps /events/nearby private when the origin comes from the caller geolocation, public with lat and lng', async () => {
    const { app } = catalogue();
    expect((await app.request('/events/nearby')).headers.get('Cache-Control')).toBe('private, no-cache');
    expect((await app.request('/events/nearby?lat=1')).headers.get('Cache-Control')).toBe('private, no-cache');
    expect((await app.request('/events/nearby?lat=1&lng=2')).headers.get('Cache-Control')).toBe(
      `public, max-age=${CATALOGUE_MAX_AGE}`,
    );
  });

  it('leaves errors, writes and non-catalogue reads alone', async () => {
    const { app } = catalogue();
    for (const res of [
      await app.request('/events/404'),
      await app.request('/events/1/bookings'),
      await app.request('/events', { method: 'POST' }),
    ]) {
      expect(res.headers.get('ETag')).toBeNull();
      expect(res.headers.get('Cache-Control')).toBeNull();
    }
  });
});

describe('catalogue caching on the real routes', () => {
  it('GET /events/:id: ETag and public max-age, 304 on If-None-Match, 200 again once the event changed', async () => {
    const event = await createEvent({ capacity: 10 });
    const first = await call('GET', `/events/${event.id}`);
    expect(first.status).toBe(200);
    const tag = first.headers.get('ETag')!;
    expect(tag).toMatch(/^W\/"/);
    expect(first.headers.get('Cache-Control')).toBe(`public, max-age=${CATALOGUE_MAX_AGE}`);

    const again = await call('GET', `/events/${event.id}`, { headers: { 'If-None-Match': tag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('X-Request-Id')).toBeTruthy();

    const [member] = await createUsers(1);
    expect((await call('POST', '/book', { token: member!.token, body: { event_id: event.id } })).status).toBe(201);
    const changed = await call('GET', `/events/${event.id}`, { headers: { 'If-None-Match': tag } });
    expect(changed.status).toBe(200);
    expect(changed.json.event.seats_left).toBe(9);
    expect(changed.headers.get('ETag')).not.toBe(tag);
  });

  it('GET /facilitators/:id is private for a caller with a token (admins see crm_id)', async () => {
    const facilitator = await createFacilitator();
    const [member] = await createUsers(1);
    const anonymous = await call('GET', `/facilitators/${facilitator.id}`);
    expect(anonymous.headers.get('Cache-Control')).toBe(`public, max-age=${CATALOGUE_MAX_AGE}`);
    const signedIn = await call('GET', `/facilitators/${facilitator.id}`, { token: member!.token });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('Cache-Control')).toBe('private, no-cache');
    expect(signedIn.headers.get('Vary')).toContain('Authorization');
  });

  it('GET /events/nearby with lat and lng in the query is the same for everyone: public', async () => {
    const withOrigin = await call('GET', '/events/nearby?lat=19.07&lng=72.87&radius=5');
    expect(withOrigin.status).toBe(200);
    expect(withOrigin.headers.get('Cache-Control')).toBe(`public, max-age=${CATALOGUE_MAX_AGE}`);
  });

  it('leaves errors and writes uncached', async () => {
    const missing = await call('GET', '/events/999999999');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('ETag')).toBeNull();
    expect(missing.headers.get('Cache-Control')).toBeNull();
    const [member] = await createUsers(1);
    const event = await createEvent();
    const booked = await call('POST', '/book', { token: member!.token, body: { event_id: event.id } });
    expect(booked.status).toBe(201);
    expect(booked.headers.get('ETag')).toBeNull();
  });
});

describe('D1 sessions', () => {
  it('returns the D1 bookmark of the request, and accepts it back', async () => {
    const first = await call('GET', '/health');
    expect(first.status).toBe(200);
    const bookmark = first.headers.get('X-D1-Bookmark');
    expect(bookmark).toMatch(/^[0-9A-Za-z-]+$/);

    const again = await call('GET', '/health', { headers: { 'X-D1-Bookmark': bookmark! } });
    expect(again.status).toBe(200);
    expect(again.headers.get('X-D1-Bookmark')).toMatch(/^[0-9A-Za-z-]+$/);
  });

  it('returns a bookmark after a write, and ignores a malformed one', async () => {
    const write = await call('POST', '/login', { body: { email: 'nobody@example.test', password: 'wrong password' } });
    expect(write.status).toBe(401);
    expect(write.headers.get('X-D1-Bookmark')).toMatch(/^[0-9A-Za-z-]+$/);

    const odd = await call('GET', '/health', { headers: { 'X-D1-Bookmark': 'not a bookmark; drop table' } });
    expect(odd.status).toBe(200);
  });
});
