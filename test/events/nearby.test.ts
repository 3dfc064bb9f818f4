import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { boundingBox } from '../../src/modules/geo/great-circle';
import { cellsCovering } from '../../src/modules/events/geo-cells';
import { NEARBY_CANDIDATE_CAP, nearbyCandidatesQuery } from '../../src/modules/events/nearby';
import { createEvents, createFacilitator, hoursFromNow } from '../support/fixtures';
import { call, expectError } from '../support/http';

const DAY = 24 * 3600 * 1000;
const RANDOM_EVENTS = 3000;

/** Independent of the code under test: the Vincenty form of the great-circle distance on a sphere of 6371 km. */
function greatCircleKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const r = Math.PI / 180;
  const [p1, p2, dl] = [lat1 * r, lat2 * r, (lng2 - lng1) * r];
  const y = Math.hypot(Math.cos(p2) * Math.sin(dl), Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl));
  const x = Math.sin(p1) * Math.sin(p2) + Math.cos(p1) * Math.cos(p2) * Math.cos(dl);
  return 6371 * Math.atan2(y, x);
}

/** A small deterministic PRNG, so a failure can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

interface Row {
  id: number;
  lat: number | null;
  lng: number | null;
  status: string;
  startsAt: number;
}

let facilitatorId: number;
const rows: Row[] = [];
const mine = new Set<number>();

async function insertEvents(specs: Array<Omit<Row, 'id'> & { title: string }>) {
  const created = await createEvents(
    specs.map((s) => ({
      title: s.title,
      type: 'Test',
      status: s.status as 'scheduled' | 'completed' | 'cancelled',
      startsAt: s.startsAt,
      location: null,
      latitude: s.lat,
      longitude: s.lng,
      facilitatorId,
    })),
  );
  created.forEach(({ id }, j) => {
    const row = { ...specs[j]!, id };
    rows.push(row);
    mine.add(row.id);
  });
}

async function nearby(query: string) {
  return call('GET', `/events/nearby?${query}`);
}

beforeAll(async () => {
  facilitatorId = (await createFacilitator('Nearby Tester')).id;
  const random = prng(20261201);
  const now = Date.now();
  const specs = Array.from({ length: RANDOM_EVENTS }, (_, i) => {
    const roll = random();
    return {
      title: `random ${i}`,
      // Uniform on the sphere, so the poles and the antimeridian get their share.
      lat: roll < 0.02 ? null : (Math.asin(2 * random() - 1) * 180) / Math.PI,
      lng: roll < 0.02 ? null : random() * 360 - 180,
      status: roll < 0.9 ? 'scheduled' : roll < 0.95 ? 'cancelled' : 'completed',
      startsAt: now + (random() < 0.9 ? 1 : -1) * (1 + random() * 30) * DAY,
    };
  });
  const edges = [
    [0, 0],
    [0, 20],
    [20, 0],
    [0, 179.99],
    [0.3, -179.97],
    [89.99, 45],
    [-89.99, -100],
    [90, 0],
    [-90, 0],
    [10, 180],
    [10, -180],
  ].map(([lat, lng], i) => ({ title: `edge ${i}`, lat: lat!, lng: lng!, status: 'scheduled', startsAt: now + 5 * DAY }));
  await insertEvents([...specs, ...edges]);
});

/** What a brute-force great-circle filter over every one of this file's events says, nearest first, then by id. */
function bruteForce(lat: number, lng: number, radius: number) {
  const now = Date.now();
  return rows
    .filter((r) => r.lat !== null && r.lng !== null && r.status === 'scheduled' && r.startsAt > now)
    .map((r) => ({ id: r.id, d: greatCircleKm(lat, lng, r.lat!, r.lng!) }))
    .filter((r) => r.d <= radius)
    .sort((a, b) => a.d - b.d || a.id - b.id);
}

describe('GET /events/nearby agrees with a brute-force great-circle filter', () => {
  const random = prng(7);
  const centers: Array<[number, number, number]> = [
    [0, 0, 1000],
    [0, 180, 1000],
    [0, -180, 800],
    [10, 179.5, 600],
    [89.5, 0, 1000],
    [-89.9, 120, 900],
    [90, 0, 500],
    [-90, 0, 500],
    [45, -179.9, 1000],
    // Radii whose box covers at most MAX_CELLS map cells: read through events_geo_cell_idx (also across the
    // antimeridian, where the box is two longitude ranges).
    [0, 179.9, 300],
    [-0.5, -179.8, 150],
    [45, 7, 250],
    [0, 0, 120],
    ...Array.from({ length: 40 }, (): [number, number, number] => [
      Math.round((Math.asin(2 * random() - 1) * 180 * 1e4) / Math.PI) / 1e4,
      Math.round((random() * 360 - 180) * 1e4) / 1e4,
      Math.round((1 + random() * 999) * 10) / 10,
    ]),
  ];

  it.each(centers)('around %f, %f within %f km: same set, same order', async (lat, lng, radius) => {
    const res = await nearby(`lat=${lat}&lng=${lng}&radius=${radius}&limit=100`);
    expect(res.status).toBe(200);
    expect(res.json.origin).toEqual({ lat, lng, source: 'query' });
    const all: Array<{ id: number; distance_km: number }> = res.json.nearby_events;
    // Other files' events share the database: compare this file's events only. If the page is full, the
    // comparison stops at the farthest returned distance.
    const cutoff = all.length === 100 ? all.at(-1)!.distance_km + 0.005 : radius;
    const expected = bruteForce(lat, lng, radius).filter((r) => r.d <= cutoff);
    expect(all.filter((e) => mine.has(e.id)).map((e) => e.id)).toEqual(expected.map((r) => r.id));
    for (const event of all.filter((e) => mine.has(e.id))) {
      const truth = expected.find((r) => r.id === event.id)!;
      expect(event.distance_km).toBeCloseTo(truth.d, 2);
    }
  });

  it('finds several hundred events in total over these searches (the comparison is not vacuous)', async () => {
    const total = centers.reduce((sum, [lat, lng, radius]) => sum + bruteForce(lat, lng, radius).length, 0);
    expect(total).toBeGreaterThan(100);
  });
});

describe('GET /events/nearby behaviour', () => {
  it('includes events at latitude 0 and longitude 0, sorted by distance with 2-decimal distance_km', async () => {
    const res = await nearby('lat=0.5&lng=0.5&radius=200');
    const edgeIds = rows.filter((r) => r.lat === 0 && r.lng === 0).map((r) => r.id);
    expect(res.json.nearby_events.map((e: { id: number }) => e.id)).toEqual(expect.arrayContaining(edgeIds));
    const atOrigin = res.json.nearby_events.find((e: { id: number }) => e.id === edgeIds[0]);
    expect(atOrigin).toMatchObject({
      latitude: 0,
      longitude: 0,
      distance_km: 78.63,
      status: 'scheduled',
      facilitator: 'Nearby Tester',
    });
    const onMeridian = await nearby('lat=20&lng=0&radius=1');
    expect(onMeridian.json.nearby_events.map((e: { id: number }) => e.id)).toEqual(
      expect.arrayContaining(rows.filter((r) => r.lat === 20 && r.lng === 0).map((r) => r.id)),
    );
    const distances = res.json.nearby_events.map((e: { distance_km: number }) => e.distance_km);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    for (const d of distances) expect(Math.round(d * 100) / 100).toBe(d);
  });

  it('leaves out cancelled, completed and past events, and events without coordinates', async () => {
    const now = Date.now();
    const at = { lat: -33.3, lng: 151.1 };
    await insertEvents([
      { title: 'gone', ...at, status: 'cancelled', startsAt: now + DAY },
      { title: 'done', ...at, status: 'completed', startsAt: now - DAY },
      { title: 'past', ...at, status: 'scheduled', startsAt: now - DAY },
      { title: 'next', ...at, status: 'scheduled', startsAt: now + DAY },
    ]);
    const res = await nearby(`lat=${at.lat}&lng=${at.lng}&radius=1`);
    const titles = res.json.nearby_events.map((e: { title: string }) => e.title);
    expect(titles).toContain('next');
    expect(titles).not.toEqual(expect.arrayContaining(['gone']));
    expect(titles.filter((t: string) => ['gone', 'done', 'past'].includes(t))).toEqual([]);
  });

  it.each([
    'lat=91&lng=0',
    'lat=-90.0001&lng=0',
    'lat=0&lng=181',
    'lat=0&lng=-180.5',
    'lat=0&lng=0&radius=0',
    'lat=0&lng=0&radius=-5',
    'lat=0&lng=0&radius=1000.1',
    'lat=abc&lng=0',
    'lat=&lng=0',
    'lat=0&lng=1e2',
    'lat=NaN&lng=0',
    'lat=0&lng=0&radius=ten',
    'lat=0&lng=0&limit=101',
    'lat=0&lng=0&limit=0',
    'lat=10',
    'lng=10',
  ])('rejects %s with 400 validation_failed', async (query) => {
    const body = expectError(await nearby(query), 400, 'validation_failed');
    expect(body.issues.length).toBeGreaterThan(0);
  });

  it('defaults to a 10 km radius', async () => {
    const res = await nearby('lat=0.05&lng=0');
    expect(res.json.nearby_events.map((e: { id: number }) => e.id)).toEqual(
      expect.arrayContaining(rows.filter((r) => r.lat === 0 && r.lng === 0).map((r) => r.id)),
    );
    expect(res.json.nearby_events.every((e: { distance_km: number }) => e.distance_km <= 10)).toBe(true);
  });

  it('without lat/lng uses Cloudflare’s request geolocation (source "cf"); with neither it is 400', async () => {
    const request = new Request('http://api.test/events/nearby?radius=50', {
      cf: { latitude: '0.1', longitude: '0.1' } as unknown as IncomingRequestCfProperties,
    });
    const res = await exports.default.fetch(request);
    const body: any = await res.json();
    expect(res.status).toBe(200);
    expect(body.origin).toEqual({ lat: 0.1, lng: 0.1, source: 'cf' });
    expect(body.nearby_events.length).toBeGreaterThan(0);
    expectError(await nearby('radius=50'), 400, 'validation_failed');
  });
});

describe('the nearby query narrows rows by a bounding box on the indexed columns', () => {
  const planOf = async (origin: { lat: number; lng: number }, radius: number) => {
    const query = nearbyCandidatesQuery(boundingBox(origin, radius), new Date(), origin);
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
      .bind(...query.params)
      .all<{ detail: string }>();
    return plan.results.map((row) => row.detail).join('\n');
  };

  it('reads the map cells a box of a few hundred km covers (events_geo_cell_idx), also across the antimeridian', async () => {
    for (const origin of [
      { lat: 28.6, lng: 77.2 },
      { lat: 0, lng: 179.9 },
    ]) {
      const details = await planOf(origin, 300);
      expect(details).toMatch(/SEARCH events USING INDEX events_geo_cell_idx \(geo_cell=\? AND latitude>\? AND latitude<\?\)/);
      expect(details).not.toMatch(/SCAN events\b/);
    }
  });

  it('reads a latitude band (events_lat_lng_idx) when the box covers more cells than MAX_CELLS', async () => {
    const box = boundingBox({ lat: 28.6, lng: 77.2 }, 1000);
    expect(cellsCovering(box)).toBeNull();
    const details = await planOf({ lat: 28.6, lng: 77.2 }, 1000);
    expect(details).toMatch(/SEARCH events USING INDEX events_lat_lng_idx \(latitude>\? AND latitude<\?\)/);
    expect(details).not.toMatch(/SCAN events\b/);
  });

  it('numbers the cells as the generated column in SQLite does, at the edges too', async () => {
    const points = [
      [19.076, 72.8777],
      [-33.8688, 151.2093],
      [0, 0],
      [-0.0001, -0.0001],
      [89.9999, 179.9999],
      [-90, -180],
      [90, 180],
      [12.999999, -45.000001],
    ];
    for (const [lat, lng] of points) {
      const row = await env.DB.prepare('SELECT CAST(? + 90 AS INTEGER) * 1000 + CAST(? + 180 AS INTEGER) AS cell')
        .bind(lat, lng)
        .first<{ cell: number }>();
      const box = { minLat: lat!, maxLat: lat!, lngRanges: [[lng!, lng!]] as Array<[number, number]> };
      expect(cellsCovering(box), `${lat}, ${lng}`).toEqual([row!.cell]);
    }
  });

  it('reads only a small part of the table for a 300 km search', async () => {
    const query = nearbyCandidatesQuery(boundingBox({ lat: 10, lng: 10 }, 300), new Date(), { lat: 10, lng: 10 });
    const result = await env.DB.prepare(query.sql)
      .bind(...query.params)
      .all();
    const total = await env.DB.prepare('SELECT count(*) AS n FROM events').first<{ n: number }>();
    expect(total!.n).toBeGreaterThanOrEqual(RANDOM_EVENTS);
    expect(result.meta.rows_read).toBeLessThan(total!.n / 10);
  });
});

describe('the nearby search is bounded', () => {
  it('reads at most NEARBY_CANDIDATE_CAP candidates into the Worker (a SQL LIMIT), the nearest ones by estimate', async () => {
    const origin = { lat: -33.9, lng: 151.2 };
    const now = new Date();
    const cap = 5;
    await createEvents(
      Array.from({ length: 12 }, (_, i) => ({
        latitude: origin.lat + (i + 1) * 0.01,
        longitude: origin.lng,
        startsAt: hoursFromNow(24),
      })),
    );
    const query = nearbyCandidatesQuery(boundingBox(origin, 50), now, origin, cap);
    const { results } = await env.DB.prepare(query.sql)
      .bind(...query.params)
      .all<{ latitude: number }>();
    expect(results).toHaveLength(cap);
    expect(results.map((r) => r.latitude)).toEqual([1, 2, 3, 4, 5].map((i) => origin.lat + i * 0.01));
    expect(NEARBY_CANDIDATE_CAP).toBeLessThanOrEqual(1000);
  });
});
