import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import worker from '../../src';
import type { GeocodeJob } from '../../src/modules/geo/messages';
import { createDb } from '../../src/db/client';
import { requeueStalePendingGeocodes, STALE_PENDING_MS } from '../../src/modules/geo/jobs';
import { eventBody, loginAs, registerFacilitator } from '../support/api';
import { call, callWithEnv, expectError } from '../support/http';

const GOOGLE_URL = 'https://maps.example.test/maps/api/geocode/json';
const KEY = 'test-google-key';

/** Google Geocoding API answers, in its real response format. */
const google = {
  ok: (lat: number, lng: number, address: string) => ({
    results: [
      {
        address_components: [{ long_name: address, short_name: address, types: ['locality', 'political'] }],
        formatted_address: address,
        geometry: {
          location: { lat, lng },
          location_type: 'APPROXIMATE',
          viewport: { northeast: { lat: lat + 0.1, lng: lng + 0.1 }, southwest: { lat: lat - 0.1, lng: lng - 0.1 } },
        },
        place_id: 'ChIJtest',
        types: ['locality', 'political'],
      },
    ],
    status: 'OK',
  }),
  zeroResults: () => ({ results: [], status: 'ZERO_RESULTS' }),
  failure: (status: string, message: string) => ({ error_message: message, results: [], status }),
};

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=UTF-8' } });

function fakeQueue() {
  const sent: GeocodeJob[] = [];
  const queue = {
    send: vi.fn(async (body: GeocodeJob) => void sent.push(body)),
    sendBatch: vi.fn(async (messages: Iterable<{ body: GeocodeJob }>) => void [...messages].forEach((m) => sent.push(m.body))),
  };
  return { sent, queue: queue as unknown as Queue };
}

let facilitatorId: number;
let adminToken: string;
let place = 0;
/** A place name no other test uses, so the shared geocode cache never answers for another test. */
const uniquePlace = (label: string) => `${label} Ashram ${Date.now().toString(36)}-${++place}`;

beforeAll(async () => {
  adminToken = (await loginAs('admin')).token;
  facilitatorId = (await registerFacilitator(adminToken)).facilitatorId;
});

afterEach(() => vi.restoreAllMocks());

function withGoogle(jobs = fakeQueue()) {
  const overrides = {
    GOOGLE_MAPS_API_KEY: KEY,
    GOOGLE_GEOCODING_URL: GOOGLE_URL,
    GEOCODING_TIMEOUT_MS: '200',
    JOBS_QUEUE: jobs.queue,
  };
  const create = (location: string, extra: Record<string, unknown> = {}) =>
    callWithEnv(overrides, 'POST', '/events', {
      token: adminToken,
      body: eventBody({ facilitator_id: facilitatorId, location, latitude: undefined, longitude: undefined, ...extra }),
    });
  return { overrides, jobs, create };
}

async function runJobs(overrides: Partial<Env>, ...jobs: Array<{ job: GeocodeJob; attempts?: number }>) {
  const batch = createMessageBatch<GeocodeJob>(
    'ahoum-jobs',
    jobs.map(({ job, attempts = 1 }, i) => ({ id: `msg-${i}`, timestamp: new Date(), attempts, body: job })),
  );
  // getQueueResult does not report the delay asked for, so the retry calls themselves are watched.
  const retries = batch.messages.map((message) => vi.spyOn(message, 'retry'));
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch, { ...env, ...overrides }, ctx);
  const result = await getQueueResult(batch, ctx);
  return { ...result, retryOptions: retries.flatMap((spy) => spy.mock.calls.map(([options]) => options)) };
}

describe('geocoding with Google (faked at the fetch boundary)', () => {
  it('OK stores the coordinates Google returned, calling the configured URL with address and key', async () => {
    const fetchSpy = vi
      .spyOn(globalThis, 'fetch')
      .mockImplementation(async () => json(google.ok(15.4909, 73.8278, 'Panaji, Goa, India')));
    const location = uniquePlace('Panaji');
    const res = await withGoogle().create(location);
    expect(res.status).toBe(201);
    expect(res.json.event).toMatchObject({ location, latitude: 15.4909, longitude: 73.8278, location_status: 'resolved' });
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const url = new URL(String(fetchSpy.mock.calls[0]![0]));
    expect(`${url.origin}${url.pathname}`).toBe(GOOGLE_URL);
    expect(url.searchParams.get('address')).toBe(location);
    expect(url.searchParams.get('key')).toBe(KEY);
    expect(fetchSpy.mock.calls[0]![1]?.signal).toBeInstanceOf(AbortSignal);
  });

  it('ZERO_RESULTS is 422 location_not_found and saves nothing', async () => {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => json(google.zeroResults()));
    const title = `Nowhere ${Date.now()}`;
    const res = await withGoogle().create(uniquePlace('Atlantis'), { title });
    expectError(res, 422, 'location_not_found');
    const saved = await env.DB.prepare('SELECT count(*) AS n FROM events WHERE title = ?').bind(title).first<{ n: number }>();
    expect(saved!.n).toBe(0);
  });

  it('INVALID_REQUEST (an address Google cannot read) is also 422: retrying the same text cannot help', async () => {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => json(google.failure('INVALID_REQUEST', 'Invalid request.')));
    expectError(await withGoogle().create(uniquePlace('Garbled')), 422, 'location_not_found');
  });

  it('a repeated place is answered from the D1 cache without a second call (case and spacing do not matter)', async () => {
    const fetchSpy = vi
      .spyOn(globalThis, 'fetch')
      .mockImplementation(async () => json(google.ok(30.0869, 78.2676, 'Rishikesh, India')));
    const location = uniquePlace('Rishikesh');
    const { create } = withGoogle();
    const first = await create(location);
    const second = await create(`  ${location.toUpperCase()} `);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.json.event).toMatchObject({ latitude: 30.0869, longitude: 78.2676, location_status: 'resolved' });
    expect(fetchSpy).toHaveBeenCalledTimes(1);
  });

  it('an unknown place is cached too: the second try is 422 without calling Google', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async () => json(google.zeroResults()));
    const location = uniquePlace('Lemuria');
    expectError(await withGoogle().create(location), 422, 'location_not_found');
    expectError(await withGoogle().create(location), 422, 'location_not_found');
    expect(fetchSpy).toHaveBeenCalledTimes(1);
  });

  it('OVER_QUERY_LIMIT saves the event as pending and queues a job; a later retry fills the coordinates', async () => {
    const fetchSpy = vi
      .spyOn(globalThis, 'fetch')
      .mockImplementation(async () =>
        json(google.failure('OVER_QUERY_LIMIT', 'You have exceeded your daily request quota for this API.')),
      );
    const { create, overrides, jobs } = withGoogle();
    const res = await create(uniquePlace('Mysuru'));
    expect(res.status).toBe(201);
    expect(res.json.event).toMatchObject({ latitude: null, longitude: null, location_status: 'pending' });
    const id = res.json.event.id as number;
    expect(jobs.sent).toEqual([{ kind: 'geocode_event', event_id: id }]);

    // Still down: the job asks to be retried later, with a delay.
    const stillDown = await runJobs(overrides, { job: jobs.sent[0]! });
    expect(stillDown.explicitAcks).toEqual([]);
    expect(stillDown.retryMessages).toEqual([{ msgId: 'msg-0' }]);
    expect(stillDown.retryOptions).toEqual([{ delaySeconds: 15 }]);
    const laterStillDown = await runJobs(overrides, { job: jobs.sent[0]!, attempts: 4 });
    expect(laterStillDown.retryOptions).toEqual([{ delaySeconds: 120 }]);
    expect((await runJobs(overrides, { job: jobs.sent[0]!, attempts: 9 })).retryOptions).toEqual([{ delaySeconds: 300 }]);

    // Google is back: the next attempt (with a longer delay had it failed) fills the event.
    fetchSpy.mockImplementation(async () => json(google.ok(12.2958, 76.6394, 'Mysuru, Karnataka, India')));
    const filled = await runJobs(overrides, { job: jobs.sent[0]!, attempts: 10 });
    expect(filled.explicitAcks).toEqual(['msg-0']);
    const after = await call('GET', `/events/${id}`);
    expect(after.json.event).toMatchObject({ latitude: 12.2958, longitude: 76.6394, location_status: 'resolved' });
  });

  it('a timeout counts as down: the event is pending', async () => {
    vi.spyOn(globalThis, 'fetch').mockImplementation(
      (_input, init) =>
        new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason))),
    );
    const res = await withGoogle().create(uniquePlace('Slowpur'));
    expect(res.status).toBe(201);
    expect(res.json.event).toMatchObject({ latitude: null, longitude: null, location_status: 'pending' });
  });

  it.each([
    ['REQUEST_DENIED', () => json(google.failure('REQUEST_DENIED', 'The provided API key is invalid.'))],
    ['UNKNOWN_ERROR', () => json(google.failure('UNKNOWN_ERROR', 'Server error'))],
    ['OVER_DAILY_LIMIT', () => json(google.failure('OVER_DAILY_LIMIT', 'Billing not enabled'))],
    ['an HTTP 503', () => new Response('<html>Service Unavailable</html>', { status: 503 })],
    ['a body that is not JSON', () => new Response('not json', { status: 200 })],
  ])('%s counts as down: pending, not an error for the client', async (_label, answer) => {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => answer());
    const res = await withGoogle().create(uniquePlace('Downtown'));
    expect(res.status).toBe(201);
    expect(res.json.event.location_status).toBe('pending');
  });

  it('a network failure counts as down', async () => {
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('Network connection lost.'));
    const res = await withGoogle().create(uniquePlace('Offline Hills'));
    expect(res.json.event.location_status).toBe('pending');
  });

  it('explicit coordinates win and "Online" has none: Google is not called', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const { create } = withGoogle();
    const given = await create(uniquePlace('Somewhere'), { latitude: 0, longitude: 0 });
    expect(given.json.event).toMatchObject({ latitude: 0, longitude: 0, location_status: 'resolved' });
    const online = await create('oNlInE');
    expect(online.json.event).toMatchObject({ location: 'oNlInE', latitude: null, longitude: null, location_status: 'online' });
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe('the offline gazetteer (no GOOGLE_MAPS_API_KEY)', () => {
  it.each([
    ['Goa', 15.2993, 74.124],
    ['Rishikesh', 30.108, 78.293],
    ['Kerala', 10.8505, 76.2711],
    ['mumbai', 19.073, 72.883],
    ['Delhi', 28.652, 77.231],
    ['Parmarth Niketan, Rishikesh, India', 30.108, 78.293],
    ['London', 51.509, -0.126],
  ])('resolves "%s" without any network call', async (location, lat, lng) => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const res = await call('POST', '/events', {
      token: adminToken,
      body: eventBody({ facilitator_id: facilitatorId, location, latitude: undefined, longitude: undefined }),
    });
    expect(res.status).toBe(201);
    expect(res.json.event).toMatchObject({ location, location_status: 'resolved' });
    expect(res.json.event.latitude).toBeCloseTo(lat, 3);
    expect(res.json.event.longitude).toBeCloseTo(lng, 3);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('a place it does not know is 422 location_not_found', async () => {
    const res = await call('POST', '/events', {
      token: adminToken,
      body: eventBody({ facilitator_id: facilitatorId, location: 'Qwxyzzy Village', latitude: undefined, longitude: undefined }),
    });
    expectError(res, 422, 'location_not_found');
  });
});

describe('the cron repairs lost geocoding jobs', () => {
  it('re-queues a pending event nobody tried lately, once, and leaves fresh ones to their own job', async () => {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => json(google.failure('OVER_QUERY_LIMIT', 'quota')));
    const stale = await withGoogle().create(uniquePlace('Stale'));
    const fresh = await withGoogle().create(uniquePlace('Fresh'));
    const longAgo = Date.now() - STALE_PENDING_MS - 60_000;
    await env.DB.prepare('UPDATE events SET geocode_attempted_at = ? WHERE id = ?').bind(longAgo, stale.json.event.id).run();

    const { sent, queue } = fakeQueue();
    const db = createDb(env.DB);
    await requeueStalePendingGeocodes(db, queue);
    expect(sent).toContainEqual({ kind: 'geocode_event', event_id: stale.json.event.id });
    expect(sent).not.toContainEqual({ kind: 'geocode_event', event_id: fresh.json.event.id });

    const again = fakeQueue();
    await requeueStalePendingGeocodes(db, again.queue);
    expect(again.sent).not.toContainEqual({ kind: 'geocode_event', event_id: stale.json.event.id });
  });
});
