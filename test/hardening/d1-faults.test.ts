import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { app } from '../../src/app';
import { collectOperations } from '../../src/http/openapi';
import type { Operation } from '../../src/http/openapi';
import { hmacSha256Hex } from '../../src/lib/crypto';
import { clientRequest, expectError, expectErrorShape } from '../support/http';
import { createUser, PASSWORD, uniqueEmail } from '../support/fixtures';
import { createWorld, inHardeningDb, type World } from './world';
import { hardCall, hardFetch, handlerTrips, reachedHandler, type HardCallOptions, type HardResponse } from './client';
import { fakeUpstreams } from './fake-upstreams';
import { D1_NETWORK_LOST, type FaultPlan } from './instrumented-d1';
import { DATA_TABLES, hardeningDb, prepareHardeningDb } from './isolated-db';
import { toRequest, validRequestArbitrary, type GeneratedRequest } from './requests';

/**
 * D1 failing in the middle of a request, the way real D1 fails: the Nth round trip (statement or batch) throws
 * `D1_ERROR: ...`, either before it reaches the database (a batch is rejected whole) or after it committed (the
 * answer was lost). Property: the client gets a JSON 503 `service_unavailable` (never a masked 500), and the
 * database holds either none of the request's writes or all of them, table by table and row count by row count.
 */

beforeAll(async () => {
  await prepareHardeningDb();
  // Every injected fault is logged by onError as an error line; hundreds of them would bury real failures.
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  fakeUpstreams();
});

/** Tables a request may leave touched after a fault by design, whatever the rest did (row counts). */
const TOLERATED = new Set([
  // An Idempotency-Key claim left by a request that died is taken over after 60 s (src/modules/bookings/idempotency.ts).
  'idempotency_keys',
  // Failed logins count toward the limit even when the request then fails.
  'login_failures',
]);

async function counts(): Promise<Map<string, number>> {
  const { results } = await hardeningDb
    .prepare(`SELECT m.name FROM sqlite_master m WHERE ${DATA_TABLES}`)
    .all<{ name: string }>();
  const rows = await hardeningDb.batch<{ n: number }>(
    results.map(({ name }) => hardeningDb.prepare(`SELECT count(*) AS n FROM "${name}"`)),
  );
  return new Map(results.map(({ name }, i) => [name, rows[i]!.results[0]!.n]));
}

interface Effect {
  /** Row count change per table (tables that did not change are left out). */
  deltas: Record<string, number>;
  /** Tables whose rows were updated in place (counted by the round-trip log, since counts cannot see them). */
  updated: string[];
}

function effectOf(before: Map<string, number>, after: Map<string, number>, res: HardResponse): Effect {
  const deltas: Record<string, number> = {};
  for (const [table, n] of after) {
    if (TOLERATED.has(table)) continue;
    const delta = n - (before.get(table) ?? 0);
    if (delta !== 0) deltas[table] = delta;
  }
  const updated = [
    ...new Set(
      res.d1
        .writes()
        .flatMap((w) => w.sql.filter((sql) => /^\s*update\b/i.test(sql)).map((sql) => /update\s+"?(\w+)/i.exec(sql)![1]!)),
    ),
  ]
    // Marking outbox rows `queued` happens after the commit and may be lost: the row stays `pending` and the cron
    // sends it again (delivery is at least once). Its row count is still compared: the message must exist.
    .filter((t) => !TOLERATED.has(t) && t !== 'outbox')
    .sort();
  return { deltas, updated };
}

/** A request that succeeds on a fresh world, described as a function of that world. */
interface Scenario {
  name: string;
  request: (world: World) => Promise<[string, string, HardCallOptions]>;
}

const at = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

const SCENARIOS: Scenario[] = [
  {
    name: 'POST /register',
    request: async () => ['POST', '/register', { body: { name: 'Faulty', email: uniqueEmail('fault'), password: PASSWORD } }],
  },
  {
    name: 'POST /login',
    request: async (w) => ['POST', '/login', { body: { email: w.member.email, password: PASSWORD } }],
  },
  {
    name: 'POST /facilitators',
    request: async (w) => {
      const user = await createUser('member', { ...inHardeningDb, name: 'Future Facilitator' });
      return [
        'POST',
        '/facilitators',
        { token: w.admin.token, body: { name: 'New Guide', crm_id: `crm-${crypto.randomUUID()}`, user_id: user.id } },
      ];
    },
  },
  {
    name: 'PATCH /facilitators/:id',
    request: async (w) => [
      'PATCH',
      `/facilitators/${w.facilitator.facilitatorId}`,
      { token: w.admin.token, body: { bio: 'Updated under fault' } },
    ],
  },
  {
    name: 'POST /events',
    request: async (w) => [
      'POST',
      '/events',
      {
        token: w.facilitator.token,
        body: { title: 'Fault Retreat', type: 'Yoga', starts_at: at(48), duration_minutes: 60, location: 'Goa', capacity: 5 },
      },
    ],
  },
  {
    name: 'PATCH /events/:id (reschedule, notifies the CRM)',
    request: async (w) => ['PATCH', `/events/${w.event}`, { token: w.facilitator.token, body: { starts_at: at(96) } }],
  },
  {
    name: 'DELETE /events/:id (cancels its bookings)',
    request: async (w) => ['DELETE', `/events/${w.event}`, { token: w.admin.token }],
  },
  {
    name: 'POST /book',
    request: async (w) => ['POST', '/book', { token: w.otherMember.token, body: { event_id: w.freeEvent } }],
  },
  {
    name: 'POST /book with Idempotency-Key',
    request: async (w) => [
      'POST',
      '/book',
      { token: w.otherMember.token, body: { event_id: w.freeEvent }, headers: { 'Idempotency-Key': crypto.randomUUID() } },
    ],
  },
  {
    name: 'POST /create-payment (Razorpay, faked)',
    request: async (w) => [
      'POST',
      '/create-payment',
      { token: w.otherMember.token, body: { event_id: w.paidEvent, provider: 'razorpay' } },
    ],
  },
  {
    name: 'POST /confirm-booking (Razorpay signature)',
    request: async (w) => {
      const held = await hardCall('POST', '/create-payment', {
        token: w.otherMember.token,
        body: { event_id: w.paidEvent, provider: 'razorpay' },
      });
      const orderId = held.json.payment.order_id as string;
      const paymentId = `pay_${crypto.randomUUID().replaceAll('-', '')}`;
      const signature = await hmacSha256Hex(env.RAZORPAY_KEY_SECRET, `${orderId}|${paymentId}`);
      return [
        'POST',
        '/confirm-booking',
        {
          token: w.otherMember.token,
          body: {
            booking_id: held.json.booking.id,
            razorpay_order_id: orderId,
            razorpay_payment_id: paymentId,
            razorpay_signature: signature,
          },
        },
      ];
    },
  },
  {
    name: 'DELETE /cancel-booking/:id',
    request: async (w) => ['DELETE', `/cancel-booking/${w.booking}`, { token: w.member.token }],
  },
];

const tally = new Map<string, { trips: number; faults: number; outcomes: Set<number> }>();

async function run(scenario: Scenario, fault?: FaultPlan) {
  const world = await createWorld();
  const [method, path, options] = await scenario.request(world);
  const before = await counts();
  const res = await hardCall(method, path, { ...options, fault });
  return { res, effect: effectOf(before, await counts(), res) };
}

describe('D1 failing at every round trip of a writing request', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s: JSON 503 and all or nothing', async (name, scenario) => {
    const clean = await run(scenario);
    expect(clean.res.status, `${name} must succeed without faults: ${clean.res.text}`).toBeLessThan(300);
    const trips = clean.res.d1.trips.length;
    const entry = { trips, faults: 0, outcomes: new Set<number>() };
    tally.set(name, entry);
    for (const when of ['before', 'after'] as const) {
      for (let n = 1; n <= trips; n++) {
        const { res, effect } = await run(scenario, { failAt: n, when });
        entry.faults += 1;
        entry.outcomes.add(res.status);
        const label = `${name}: round trip ${n}/${trips} (${clean.res.d1.trips[n - 1]!.kind}) failing ${when}`;
        if (res.status >= 300) {
          expect(res.status, `${label} answered ${res.status} ${res.text}`).toBe(503);
          expectError(res, 503, 'service_unavailable');
          expect(res.headers.get('Retry-After')).toBeTruthy();
        }
        const nothing = Object.keys(effect.deltas).length === 0 && effect.updated.length === 0;
        const everything =
          JSON.stringify(effect.deltas) === JSON.stringify(clean.effect.deltas) &&
          JSON.stringify(effect.updated) === JSON.stringify(clean.effect.updated);
        expect(
          nothing || everything,
          `${label} left a partial write: ${JSON.stringify(effect)} vs ${JSON.stringify(clean.effect)}`,
        ).toBe(true);
        // A request answered as failed before anything committed must not have changed anything.
        if (res.status === 503 && when === 'before' && !clean.res.d1.trips.slice(0, n - 1).some((t) => t.changes > 0)) {
          expect(nothing, `${label} wrote although it failed before any write`).toBe(true);
        }
      }
    }
  });
});

describe('the CRM queue refusing every send (a Queues outage)', () => {
  // The cron's resend of pending rows is tested in test/crm/queue.test.ts; this checks every writing request.
  it.each(SCENARIOS.map((s) => [s.name, s] as const))(
    '%s: still succeeds, and each message it wrote stays pending in the outbox',
    async (name, scenario) => {
      const world = await createWorld();
      const [method, path, options] = await scenario.request(world);
      const pending = () =>
        hardeningDb.prepare(`SELECT count(*) AS n FROM outbox WHERE status = 'pending'`).first<{ n: number }>();
      const before = (await counts()).get('outbox')!;
      const pendingBefore = (await pending())!.n;
      const res = await hardCall(method, path, { ...options, queueDown: true });
      expect(res.status, `${name}: ${res.text}`).toBeLessThan(300);
      const written = (await counts()).get('outbox')! - before;
      expect((await pending())!.n - pendingBefore).toBe(written);
      expect(res.crm).toEqual([]);
      tally.set(`${name} (queue down)`, { trips: res.d1.trips.length, faults: 1, outcomes: new Set([res.status]) });
    },
  );
});

describe('an answer lost after the booking committed', () => {
  it('a retry with the same Idempotency-Key gets the committed booking back and books nothing new', async () => {
    const bookingBatch = async (w: World, key: string, fault?: FaultPlan) =>
      hardCall('POST', '/book', {
        token: w.otherMember.token,
        body: { event_id: w.freeEvent },
        headers: { 'Idempotency-Key': key },
        fault,
      });
    const probe = await bookingBatch(await createWorld(), crypto.randomUUID());
    const commit = probe.d1.trips.findIndex((t) => t.kind === 'batch' && t.sql.some((q) => /INSERT INTO bookings/i.test(q)));
    expect(commit).toBeGreaterThanOrEqual(0);

    const world = await createWorld();
    const key = crypto.randomUUID();
    const lost = await bookingBatch(world, key, { failAt: commit + 1, when: 'after' });
    expectError(lost, 503, 'service_unavailable');
    const retry = await bookingBatch(world, key);
    const { results } = await hardeningDb
      .prepare(`SELECT id FROM bookings WHERE user_id = ? AND event_id = ? AND status <> 'cancelled'`)
      .bind(world.otherMember.id, world.freeEvent)
      .all<{ id: number }>();
    expect(results).toHaveLength(1);
    expect(retry.status).toBe(201);
    expect(retry.json).toMatchObject({ msg: 'Booking successful', booking: { id: results[0]!.id, status: 'confirmed' } });
    const again = await bookingBatch(world, key);
    expect(again.json).toEqual(retry.json);
  });
});

describe('D1 failing after the provider created the order', () => {
  it('a hold is never left without its order: the seat is given back, and a retry can pay', async () => {
    const world = await createWorld();
    const request = { token: world.otherMember.token, body: { event_id: world.paidEvent, provider: 'razorpay' } };
    const probe = await hardCall('POST', '/create-payment', { ...request, token: (await createWorld()).otherMember.token });
    const orderUpdate = probe.d1.trips.findIndex((t) => t.sql.some((q) => /SET payment_order_id/i.test(q)));
    expect(orderUpdate).toBeGreaterThan(0);

    const failed = await hardCall('POST', '/create-payment', { ...request, fault: { failAt: orderUpdate + 1 } });
    expectError(failed, 503, 'service_unavailable');
    const orphan = await hardeningDb
      .prepare(
        `SELECT count(*) AS n FROM bookings WHERE event_id = ? AND status = 'pending_payment' AND payment_order_id IS NULL`,
      )
      .bind(world.paidEvent)
      .first<{ n: number }>();
    expect(orphan!.n).toBe(0);
    const retry = await hardCall('POST', '/create-payment', request);
    expect(retry.status, retry.text).toBe(201);
  });
});

describe('D1 failing on every route', () => {
  const operations = collectOperations(app);
  /** Routes whose handlers never read D1 (documents built in memory): nothing to fail there, and that is checked. */
  const WITHOUT_D1 = new Set(['GET /openapi.json', 'GET /docs']);
  /**
   * Settings a route needs for its handler to read D1: POST /geocode reads the geocode cache only with a Google key
   * (without one the offline gazetteer answers from memory); the faked Google then knows no place.
   */
  const ROUTE_VARS: Record<string, Record<string, string>> = { 'POST /geocode': { GOOGLE_MAPS_API_KEY: 'hardening-key' } };
  const varsFor = (op: Operation) => ROUTE_VARS[`${op.method} ${op.path}`];
  /** Valid requests tried per route, in a fixed order, until one gets far enough into the handler to read D1. */
  const CANDIDATES = 100;
  /** Round trips failed per route: the first ones of the request, the authentication's lookup and the handler's. */
  const FAULTS = 6;
  const SEED = 20_261_201;

  const routeSeed = (key: string) => [...key].reduce((hash, ch) => (hash * 31 + ch.charCodeAt(0)) >>> 0, SEED) | 0;

  /** Each world's generated requests per route, so a search through the candidates generates them once. */
  const samples = new WeakMap<World, Map<string, GeneratedRequest[]>>();

  /** The id to put in the path: the world's own row of the resource the route is about. */
  function resourceId(path: string, w: World): string {
    const first = path.split('/')[1] ?? '';
    if (first === 'events') return String(w.event);
    if (first === 'facilitators') return String(w.facilitator.facilitatorId);
    return String(w.booking);
  }

  /**
   * The route's valid request number `index` for this world: generated from the route's own validators
   * (validRequestArbitrary) with a fixed seed, so every world gets the same request shaped around its own rows. A
   * webhook is only read once its signature checks out, so POST /payment-webhook gets a Razorpay event signed with
   * the webhook secret (a payment that failed, for an order nobody holds).
   */
  async function validRequest(op: Operation, w: World, index: number): Promise<Request> {
    const key = `${op.method} ${op.path}`;
    if (key === 'POST /payment-webhook') {
      const raw = JSON.stringify({
        entity: 'event',
        event: 'payment.failed',
        contains: ['payment'],
        payload: { payment: { entity: { id: `pay_${w.member.id}x`, order_id: `order_${w.member.id}x`, status: 'failed' } } },
      });
      return clientRequest('POST', '/payment-webhook', {
        raw,
        headers: {
          'Content-Type': 'application/json',
          'X-Razorpay-Signature': await hmacSha256Hex(env.RAZORPAY_WEBHOOK_SECRET, raw),
          'X-Razorpay-Event-Id': `evt_${crypto.randomUUID()}`,
        },
      });
    }
    const known = samples.get(w)?.get(key);
    if (known) return toRequest(known[index]!);
    const arbitrary = validRequestArbitrary(
      op,
      {
        // Fixed length, fresh per world: free-text fields and new emails differ between worlds, nothing else does.
        marker: `df${crypto.randomUUID().slice(0, 8)}`,
        ids: [w.event, w.booking, w.facilitator.facilitatorId, w.otherMember.id],
        // Each id field names this world's own row of its kind, so the request means the same in every world.
        idsFor: (field) =>
          ({
            event_id: [w.freeEvent],
            booking_id: [w.booking],
            facilitator_id: [w.facilitator.facilitatorId],
            user_id: [w.otherMember.id],
          })[field],
        emails: [w.member.email, w.facilitator.email],
      },
      { pathValue: resourceId(op.path, w), authorization: op.isPublic ? undefined : `Bearer ${w.admin.token}` },
    );
    const requests = fc.sample(arbitrary, { seed: routeSeed(key), numRuns: CANDIDATES });
    samples.set(w, (samples.get(w) ?? new Map()).set(key, requests));
    return toRequest(requests[index]!);
  }

  /** A fresh world per request, so every run (clean or faulty) starts from the same rows. */
  async function runValid(op: Operation, index: number, fault?: FaultPlan) {
    const world = await createWorld();
    return hardFetch(await validRequest(op, world, index), { fault, vars: varsFor(op) });
  }

  it.each(operations.map((op) => [`${op.method} ${op.path}`, op] as const))(
    '%s: a valid request whose D1 round trips fail gets a JSON 503, never a 500',
    async (key, op) => {
      if (WITHOUT_D1.has(key)) {
        const clean = await runValid(op, 0);
        expect(clean.status, clean.text.slice(0, 300)).toBe(200);
        expect(clean.d1.trips, `${key} reads D1 after all: take it off WITHOUT_D1`).toEqual([]);
        tally.set(`${key} (valid request)`, { trips: 0, faults: 0, outcomes: new Set([clean.status]) });
        return;
      }
      // The first valid request whose handler reads D1: a request the validators stop (the interpreter of JSON Schema
      // does not know every cross-field rule) would test nothing here. Stopped requests write nothing, so one world does.
      const searchWorld = await createWorld();
      let index = 0;
      let probe = await hardFetch(await validRequest(op, searchWorld, index), { vars: varsFor(op) });
      while ((!reachedHandler(probe) || handlerTrips(probe).length === 0) && ++index < CANDIDATES) {
        probe = await hardFetch(await validRequest(op, searchWorld, index), { vars: varsFor(op) });
      }
      expect(
        index,
        `${key}: none of ${CANDIDATES} valid requests reached a D1 round trip in the handler; last: ${probe.status} ${probe.text.slice(0, 300)}`,
      ).toBeLessThan(CANDIDATES);
      const clean = await runValid(op, index);
      expect(
        handlerTrips(clean).length,
        `${key} #${index} on a fresh world: ${clean.status} ${clean.text.slice(0, 300)}`,
      ).toBeGreaterThan(0);
      expect(reachedHandler(clean)).toBe(true);
      expect(clean.status, `${key}: ${clean.text.slice(0, 300)}`).toBeLessThan(500);

      const firstHandlerTrip = clean.d1.trips.length - handlerTrips(clean).length + 1;
      const trips = Math.min(clean.d1.trips.length, FAULTS);
      const outcomes = new Set<number>();
      const insideHandler = new Set<number>();
      for (let n = 1; n <= trips; n++) {
        const res = await runValid(op, index, { failAt: n });
        outcomes.add(res.status);
        const label = `${key}: trip ${n}/${clean.d1.trips.length} (${clean.d1.trips[n - 1]!.sql[0]!.slice(0, 80)}) failing`;
        // The binding was called for that round trip on this request, and failed it.
        expect(res.d1.trips[n - 1]?.failed, `${label}: the request never made that round trip`).toBe(true);
        // A failure the route absorbs on purpose (a lost outbox status update) answers as the clean run did.
        expect([503, clean.status], `${label} gave ${res.status} ${res.text}`).toContain(res.status);
        if (res.status >= 400) expectErrorShape(res);
        if (res.status === 503) expectError(res, 503, 'service_unavailable');
        if (n >= firstHandlerTrip) insideHandler.add(res.status);
      }
      // At least one of the failures happened inside the handler and was answered as a database outage.
      expect([...insideHandler], `${key}: no fault inside the handler gave a 503`).toContain(503);
      tally.set(`${key} (valid request #${index})`, { trips: clean.d1.trips.length, faults: trips, outcomes });
    },
  );
});

describe('which D1 errors are worth a retry', () => {
  // Messages from Cloudflare's list of D1_ERRORs whose recommended action is "Retry the operation".
  const transient = [
    D1_NETWORK_LOST,
    'D1_ERROR: D1 DB reset because its code was updated.',
    'D1_ERROR: Internal error while starting up D1 DB storage caused object to be reset.',
    'D1_ERROR: Internal error in D1 DB storage caused object to be reset.',
    'D1_ERROR: D1 DB storage operation exceeded timeout which caused object to be reset.',
    'D1_ERROR: D1 DB is overloaded. Requests queued for too long.',
    'D1_ERROR: D1 DB is overloaded. Too many requests queued.',
    'D1_ERROR: Cannot resolve D1 DB due to transient issue on remote node.',
  ];
  const permanent = [
    'D1_ERROR: no such table: bookings: SQLITE_ERROR',
    'D1_TYPE_ERROR: Type undefined is not supported as a value.',
    'D1_ERROR: Exceeded maximum DB size.',
  ];
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  it.each(transient)('%s is 503 service_unavailable with Retry-After', async (message) => {
    const res = await hardCall('GET', '/me', { token: world.member.token, fault: { failAt: 1, message } });
    expectError(res, 503, 'service_unavailable');
    expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
  });

  it.each(permanent)('%s is a masked 500 internal_error (retrying cannot help; it is logged)', async (message) => {
    const res = await hardCall('GET', '/me', { token: world.member.token, fault: { failAt: 1, message } });
    expectError(res, 500, 'internal_error');
    expect(res.text).not.toContain('SQLITE');
    expect(res.text).not.toContain('D1_');
  });

  it('a transient error wrapped by drizzle (as its cause) is still 503', async () => {
    const res = await hardCall('GET', `/events/${world.event}`, { fault: { failAt: 1 } });
    expectError(res, 503, 'service_unavailable');
  });
});

afterAll(() => {
  const rows = [...tally].map(([name, t]) => `| ${name} | ${t.trips} | ${t.faults} | ${[...t.outcomes].sort().join(' ')} |`);
  console.log(
    ['\nHardening D1 faults', '| Request | D1 round trips | Faults injected | Statuses |', '|---|---|---|---|', ...rows].join(
      '\n',
    ),
  );
});
