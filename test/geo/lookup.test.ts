import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loginAs } from '../support/api';
import { call, callWithEnv, expectError } from '../support/http';

const GOOGLE_URL = 'https://maps.example.test/maps/api/geocode/json';
const withGoogle = { GOOGLE_MAPS_API_KEY: 'test-google-key', GOOGLE_GEOCODING_URL: GOOGLE_URL, GEOCODING_TIMEOUT_MS: '200' };

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=UTF-8' } });
const googleOk = (lat: number, lng: number, address: string) =>
  json({ results: [{ formatted_address: address, geometry: { location: { lat, lng } } }], status: 'OK' });

/** Google faked at the fetch boundary: every call to it gets `answer`; the calls are counted. */
function fakeGoogle(answer: () => Response | Promise<Response>) {
  const original = globalThis.fetch;
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = new URL(new Request(input, init).url);
    return url.hostname === 'maps.example.test' ? answer() : original(input, init);
  });
}

let token: string;
let n = 0;
/** A place name no other test uses, so the shared geocode cache never answers for another test. */
const uniquePlace = () => `Lookup Ashram ${Date.now().toString(36)}-${++n}`;

beforeAll(async () => {
  token = (await loginAs('member')).token;
});

afterEach(() => vi.restoreAllMocks());

describe('POST /geocode', () => {
  it('answers a known place from the offline gazetteer when no Google key is set', async () => {
    const res = await call('POST', '/geocode', { token, body: { location: 'Goa' } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(['formatted_address', 'latitude', 'longitude']);
    expect(res.json.latitude).toBeCloseTo(15.3, 0);
    expect(res.json.longitude).toBeCloseTo(74.1, 0);
    expect(res.json.formatted_address).toBe('Goa, India');
  });

  it('is 422 location_not_found for a place nobody knows', async () => {
    expectError(await call('POST', '/geocode', { token, body: { location: 'Qwxzzy Nowhere' } }), 422, 'location_not_found');
  });

  it('asks Google when a key is set, and answers the same place again from the cache', async () => {
    const google = fakeGoogle(() => googleOk(10.5, 76.2, 'Thrissur, Kerala, India'));
    const location = uniquePlace();
    const first = await callWithEnv(withGoogle, 'POST', '/geocode', { token, body: { location } });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ latitude: 10.5, longitude: 76.2, formatted_address: 'Thrissur, Kerala, India' });
    const again = await callWithEnv(withGoogle, 'POST', '/geocode', { token, body: { location: location.toUpperCase() } });
    expect(again.json).toEqual(first.json);
    expect(google).toHaveBeenCalledTimes(1);
  });

  it('is 422 when Google says ZERO_RESULTS', async () => {
    fakeGoogle(() => json({ results: [], status: 'ZERO_RESULTS' }));
    const res = await callWithEnv(withGoogle, 'POST', '/geocode', { token, body: { location: uniquePlace() } });
    expectError(res, 422, 'location_not_found');
  });

  it('falls back to the gazetteer while Google is down', async () => {
    fakeGoogle(() => json({ results: [], status: 'UNKNOWN_ERROR', error_message: 'try again' }));
    const res = await callWithEnv(withGoogle, 'POST', '/geocode', { token, body: { location: 'Rishikesh' } });
    expect(res.status).toBe(200);
    expect(res.json.latitude).toBeCloseTo(30.1, 0);
    expect(res.json.formatted_address).toBe('Rishīkesh, India'); // the gazetteer's own spelling
  });

  it('is 503 geocoding_unavailable, with Retry-After, when Google is down and the place is not known offline', async () => {
    fakeGoogle(() => Promise.reject(new TypeError('network down')));
    const res = await callWithEnv(withGoogle, 'POST', '/geocode', { token, body: { location: uniquePlace() } });
    expectError(res, 503, 'geocoding_unavailable');
    expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
  });

  it('needs a token', async () => {
    expectError(await call('POST', '/geocode', { body: { location: 'Goa' } }), 401, 'unauthorized');
  });

  it.each([
    ['missing', {}],
    ['a number', { location: 42 }],
    ['empty', { location: '  ' }],
  ])('is 400 validation_failed when location is %s', async (_label, body) => {
    const error = expectError(await call('POST', '/geocode', { token, body }), 400, 'validation_failed');
    expect(error.issues[0].path).toBe('location');
  });
});

describe('a trailing slash', () => {
  it('reaches the same route for GET, with the same answer and the same cache policy', async () => {
    const plain = await call('GET', '/events?limit=2');
    const slashed = await call('GET', '/events/?limit=2');
    expect(slashed.status).toBe(200);
    expect(slashed.json).toEqual(plain.json);
    expect(slashed.headers.get('ETag')).toBe(plain.headers.get('ETag'));
    expect(slashed.headers.get('Cache-Control')).toBe('public, max-age=30');
  });

  it('reaches the same route for POST without a redirect', async () => {
    const res = await call('POST', '/geocode/', { token, body: { location: 'Goa' } });
    expect(res.status).toBe(200);
    expect(res.json.formatted_address).toBe('Goa, India');
  });

  it('keeps the route’s own rules: a protected route is still 401 without a token, a public one open', async () => {
    expectError(await call('GET', '/my-bookings/'), 401, 'unauthorized');
    expect((await call('GET', '/facilitators/')).status).toBe(200);
  });

  it('adds no second route to the OpenAPI document', async () => {
    const { json: document } = await call('GET', '/openapi.json');
    expect(Object.keys(document.paths).filter((path) => path.length > 1 && path.endsWith('/'))).toEqual([]);
    expect(document.paths['/geocode'].post.security).toEqual([{ bearerAuth: [] }]);
  });
});
