import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import { MAX_BODY_BYTES } from '../../src/http/json-body';
import { collectOperations, type Operation } from '../../src/http/openapi';
import { expectError } from '../support/http';
import { createUser, PASSWORD } from '../support/fixtures';
import { createWorld, inHardeningDb, type World } from './world';
import { MALFORMED_AUTHORIZATION, forgedTokens } from './bad-tokens';
import { sendsBody } from './requests';
import { hardCall, hardFetch } from './client';
import { changedTables, prepareHardeningDb, snapshot } from './isolated-db';

/**
 * OWASP API Security Top 10 (2023): API2 broken authentication and API4 unrestricted resource consumption.
 * The single-token cases on /me are in test/accounts/auth.test.ts; here every route gets every bad token.
 */

const operations = collectOperations(app);
const key = (op: Operation) => `${op.method} ${op.path}`;
const bodyRoutes = operations.filter((op) => op.validations.some((v) => v.target === 'json'));

let world: World;
let forged: Record<string, string>;

beforeAll(async () => {
  await prepareHardeningDb();
  world = await createWorld();
  forged = await forgedTokens(world.member);
});

const pathOf = (op: Operation) => op.path.replace(/:[A-Za-z_]+/g, String(world.event));

describe('API2 broken authentication', () => {
  it.each(operations.map((op) => [key(op), op] as const))(
    '%s: every forged, expired, mis-signed or malformed token is 401 with WWW-Authenticate, public route or not',
    async (_key, op) => {
      const headers = [...Object.values(forged).map((t) => `Bearer ${t}`), ...MALFORMED_AUTHORIZATION];
      for (const authorization of headers) {
        const res = await hardCall(op.method, pathOf(op), {
          headers: { Authorization: authorization },
          ...(sendsBody(op) ? { body: {} } : {}),
        });
        expect(res.status, `${authorization.slice(0, 60)}: ${res.text}`).toBe(401);
        expectError(res, 401, 'unauthorized');
      }
    },
  );

  it.each(operations.filter((op) => !op.isPublic).map((op) => [key(op), op] as const))(
    '%s without a token is 401 (deny by default)',
    async (_key, op) => {
      const res = await hardCall(op.method, pathOf(op), sendsBody(op) ? { body: {} } : {});
      expectError(res, 401, 'unauthorized');
    },
  );

  it('a token in the query string or a cookie is not a credential', async () => {
    const query = await hardCall('GET', `/me?access_token=${world.member.token}`);
    expectError(query, 401, 'unauthorized');
    const cookie = await hardCall('GET', '/me', { headers: { Cookie: `access_token=${world.member.token}` } });
    expectError(cookie, 401, 'unauthorized');
  });

  it('twenty concurrent wrong passwords get at most LOGIN_MAX_FAILURES evaluations; the rest are 429', async () => {
    const victim = await createUser('member', inHardeningDb);
    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        hardCall('POST', '/login', { body: { email: victim.email, password: `guess-${i}-password` } }),
      ),
    );
    const statuses = guesses.map((g) => g.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(Number(env.LOGIN_MAX_FAILURES));
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - Number(env.LOGIN_MAX_FAILURES));
    for (const g of guesses.filter((g) => g.status === 429)) expectError(g, 429, 'rate_limited');
    // Locked means locked, also for the right password, in any letter case or padding of the address.
    for (const email of [victim.email, victim.email.toUpperCase(), `  ${victim.email}  `]) {
      expectError(await hardCall('POST', '/login', { body: { email, password: PASSWORD } }), 429, 'rate_limited');
    }
  });

  it('the right password inside the limit still logs in and clears the count', async () => {
    const user = await createUser('member', inHardeningDb);
    for (let i = 0; i < Number(env.LOGIN_MAX_FAILURES) - 1; i++) {
      expect((await hardCall('POST', '/login', { body: { email: user.email, password: 'wrong-password' } })).status).toBe(401);
    }
    expect((await hardCall('POST', '/login', { body: { email: user.email, password: PASSWORD } })).status).toBe(200);
    expect((await hardCall('POST', '/login', { body: { email: user.email, password: 'wrong-password' } })).status).toBe(401);
  });
});

describe('API4 unrestricted resource consumption', () => {
  it.each([
    ['/events?limit=101', 'limit'],
    ['/events?limit=0', 'limit'],
    ['/events?limit=1e9', 'limit'],
    ['/events?limit=-1', 'limit'],
    [`/events?q=${'yoga '.repeat(60)}`, 'q'],
    [`/events?cursor=${'A'.repeat(300)}`, 'cursor'],
    ['/events/nearby?lat=30&lng=78&radius=1001', 'radius'],
    ['/events/nearby?lat=30&lng=78&radius=1e9', 'radius'],
    ['/events/nearby?lat=30&lng=78&radius=0', 'radius'],
    ['/events/nearby?lat=30&lng=78&limit=101', 'limit'],
    ['/events/nearby?lat=91&lng=78', 'lat'],
    ['/events/nearby?lat=30&lng=181', 'lng'],
  ])('GET %s is 400 validation_failed naming %s', async (path, field) => {
    const res = await hardCall('GET', path);
    const error = expectError(res, 400, 'validation_failed');
    expect(error.issues.map((i: { path: string }) => i.path)).toContain(field);
  });

  it('a tampered cursor is 400, not a 500 or a scan from the start', async () => {
    for (const cursor of ['eyJ4IjoxfQ', 'not-base64!', btoa('{"s":"x","i":"y"}'), btoa('9'.repeat(50))]) {
      const res = await hardCall('GET', `/events?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, cursor).toBe(400);
      expectError(res, 400, res.json.code);
    }
  });

  it('a 12 KB query string and 500 repeated parameters answer 4xx or 200, never 5xx', async () => {
    const long = await hardCall('GET', `/events?type=${'x'.repeat(12_000)}`);
    expect(long.status).toBe(400);
    const many = await hardCall('GET', `/events?${Array.from({ length: 500 }, (_, i) => `p${i}=${i}`).join('&')}`);
    expect(many.status).toBe(200);
    const repeated = await hardCall('GET', `/events?${'status=scheduled&'.repeat(500)}`);
    expectError(repeated, 400, 'validation_failed');
  });

  it.each(bodyRoutes.map((op) => [key(op), op] as const))(
    '%s: a body over 64 KiB is 413, declared or streamed without Content-Length, and writes nothing',
    async (_key, op) => {
      const big = JSON.stringify({ title: 'x'.repeat(MAX_BODY_BYTES) });
      const before = await snapshot();
      const declared = await hardCall(op.method, pathOf(op), {
        token: world.admin.token,
        raw: big,
        headers: { 'Content-Type': 'application/json' },
      });
      expectError(declared, 413, 'payload_too_large');
      const stream = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 70; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
          controller.close();
        },
      });
      const streamed = await hardFetch(
        new Request(`http://api.test${pathOf(op)}`, {
          method: op.method,
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${world.admin.token}` },
          body: stream,
        }),
      );
      expectError(streamed, 413, 'payload_too_large');
      expect(changedTables(before, await snapshot())).toEqual([]);
    },
  );

  it('JSON nested 20,000 deep is a 4xx, not a stack overflow 500', async () => {
    const deep = `{"event_id":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const res = await hardCall('POST', '/book', {
      token: world.member.token,
      raw: deep,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('an Idempotency-Key over 255 characters is 400', async () => {
    const res = await hardCall('POST', '/book', {
      token: world.otherMember.token,
      body: { event_id: world.freeEvent },
      headers: { 'Idempotency-Key': 'k'.repeat(256) },
    });
    expectError(res, 400, 'validation_failed');
  });
});
