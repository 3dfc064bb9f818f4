import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { app } from '../../src/app';
import { collectOperations, type Operation } from '../../src/http/openapi';
import { expectError, expectErrorShape } from '../support/http';
import { nastyJson } from './arbitraries';
import { createUser } from '../support/fixtures';
import { createWorld, hardeningEvent, inHardeningDb, type World } from './world';
import { sendsBody } from './requests';
import { hardCall } from './client';
import { hardeningDb, prepareHardeningDb } from './isolated-db';

/**
 * OWASP API Security Top 10 (2023): API8 security misconfiguration (headers, CORS, error masking, secrets) and
 * API10 unsafe consumption of APIs (whatever Google or a payment provider answers, we neither crash nor store it blindly).
 */

const operations = collectOperations(app);
const key = (op: Operation) => `${op.method} ${op.path}`;
let world: World;

beforeAll(async () => {
  await prepareHardeningDb();
  world = await createWorld();
});
afterEach(() => vi.restoreAllMocks());

const SECRET_NAMES = [
  'JWT_SECRET',
  'CRM_WEBHOOK_SECRET',
  'RAZORPAY_KEY_SECRET',
  'RAZORPAY_WEBHOOK_SECRET',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
] as const;

describe('API8 security misconfiguration', () => {
  it.each(operations.map((op) => [key(op), op] as const))(
    '%s: security headers on the answer, no framework banner, no secret in the body',
    async (_key, op) => {
      const res = await hardCall(op.method, op.path.replace(/:[A-Za-z_]+/g, String(world.event)), {
        token: world.admin.token,
        ...(sendsBody(op) ? { body: {} } : {}),
      });
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(res.headers.get('X-Frame-Options')).toMatch(/DENY|SAMEORIGIN/);
      expect(res.headers.get('Strict-Transport-Security')).toMatch(/max-age=\d+/);
      expect(res.headers.get('Referrer-Policy')).toBeTruthy();
      expect(res.headers.get('X-Powered-By')).toBeNull();
      for (const name of SECRET_NAMES) expect(res.text, name).not.toContain(env[name]);
    },
  );

  it('CORS: a foreign origin gets no Access-Control-Allow-Origin, on requests and preflights; a listed one is echoed', async () => {
    for (const origin of ['https://evil.example', 'null', 'http://localhost:3000.evil.example']) {
      const simple = await hardCall('GET', '/events', { headers: { Origin: origin } });
      expect(simple.headers.get('Access-Control-Allow-Origin')).toBeNull();
      const preflight = await hardCall('OPTIONS', '/book', {
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'Authorization' },
      });
      expect(preflight.headers.get('Access-Control-Allow-Origin')).toBeNull();
    }
    const allowed = env.CORS_ORIGINS.split(',')[0]!.trim();
    const ok = await hardCall('GET', '/events', { headers: { Origin: allowed } });
    expect(ok.headers.get('Access-Control-Allow-Origin')).toBe(allowed);
    expect(ok.headers.get('Vary') ?? '').toMatch(/Origin/i);
    expect(ok.headers.get('Access-Control-Allow-Credentials')).not.toBe('true');
  });

  it.each([
    ['GET', '/nope'],
    ['PUT', '/book'],
    ['DELETE', '/events'],
    ['PATCH', '/my-bookings'],
    ['GET', '/.env'],
    ['GET', '/wp-admin/'],
    ['GET', '/%2e%2e/%2e%2e/etc/passwd'],
  ])('%s %s: a JSON 404 in the error shape, never an HTML page', async (method, path) => {
    const res = await hardCall(method, path, { token: world.member.token });
    expectError(res, 404, 'not_found');
  });

  it('a masked 500 says nothing about the cause and carries the request id that the log line has', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await hardCall('GET', '/me', {
      token: world.member.token,
      headers: { 'X-Request-Id': 'trace-500' },
      fault: { failAt: 1, message: 'D1_ERROR: no such column: secret_column: SQLITE_ERROR' },
    });
    expectError(res, 500, 'internal_error');
    expect(res.text).not.toMatch(/secret_column|SQLITE|D1_|at /);
    expect(res.json.request_id).toBe('trace-500');
    expect(logged.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/trace-500.*secret_column/);
  });
});

/** A fake upstream answer; statuses that cannot carry a body get none. */
const replyWith = (reply: { status: number; body: string }) =>
  new Response([204, 205, 304].includes(reply.status) ? null : reply.body, { status: reply.status });

describe('API10 unsafe consumption of APIs', () => {
  /** Anything a geocoder or payment provider might send back: shaped like the real answer with hostile values, or junk. */
  const answer = (shape: (value: unknown) => unknown) =>
    fc.oneof(
      fc.record({ status: fc.integer({ min: 200, max: 599 }), body: nastyJson.map((v) => JSON.stringify(v ?? null)) }),
      fc.record({ status: fc.constant(200), body: nastyJson.map((v) => JSON.stringify(shape(v))) }),
      fc.record({ status: fc.constant(200), body: fc.constantFrom('', 'not json', '<html>', '{"a":', 'x'.repeat(100_000)) }),
    );

  it('whatever Google answers, creating an event is 201 or 422, and stored coordinates are real ones or none', async () => {
    let runs = 0;
    const google = answer((v) => ({
      status: 'OK',
      results: [{ geometry: { location: { lat: v, lng: v } }, formatted_address: v }],
    }));
    await fc.assert(
      fc.asyncProperty(google, fc.integer({ min: 0, max: 1e9 }), async (reply, n) => {
        runs += 1;
        vi.spyOn(globalThis, 'fetch').mockResolvedValue(replyWith(reply));
        vi.spyOn(console, 'warn').mockImplementation(() => {});
        vi.spyOn(console, 'error').mockImplementation(() => {});
        const res = await hardCall('POST', '/events', {
          token: world.facilitator.token,
          vars: { GOOGLE_MAPS_API_KEY: 'test-key' },
          body: {
            title: 'Consumed',
            type: 'Yoga',
            starts_at: new Date(Date.now() + 86_400_000).toISOString(),
            duration_minutes: 60,
            location: `Hardening place ${n} ${runs}`,
          },
        });
        vi.restoreAllMocks();
        expect([201, 422], res.text).toContain(res.status);
        if (res.status !== 201) return expectErrorShape(res);
        const { latitude, longitude, location_status } = res.json.event;
        if (latitude === null) expect(['pending', 'none']).toContain(location_status);
        else expect(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180).toBe(true);
      }),
      { seed: 1124, numRuns: 60 },
    );
  });

  it('whatever a payment provider answers, /create-payment is 201 with an order or 502, and a 502 holds no seat', async () => {
    const order = answer((v) => ({ id: v, entity: 'order', amount: v, currency: v, client_secret: v }));
    await fc.assert(
      fc.asyncProperty(order, fc.constantFrom('razorpay', 'stripe'), async (reply, provider) => {
        const user = await createUser('member', inHardeningDb);
        const event = await hardeningEvent({ facilitatorId: world.facilitator.facilitatorId, price: 50_000 });
        vi.spyOn(globalThis, 'fetch').mockResolvedValue(replyWith(reply));
        vi.spyOn(console, 'error').mockImplementation(() => {});
        const res = await hardCall('POST', '/create-payment', { token: user.token, body: { event_id: event, provider } });
        vi.restoreAllMocks();
        expect([201, 502], res.text).toContain(res.status);
        const seats = await hardeningDb
          .prepare('SELECT booked_count AS n FROM events WHERE id = ?')
          .bind(event)
          .first<{ n: number }>();
        if (res.status === 502) {
          expectError(res, 502, 'payment_provider_error');
          expect(seats!.n).toBe(0);
        } else {
          expect(typeof res.json.payment.order_id === 'string' || typeof res.json.payment.client_secret === 'string').toBe(true);
          expect(seats!.n).toBe(1);
        }
      }),
      { seed: 2611, numRuns: 60 },
    );
  });
});
