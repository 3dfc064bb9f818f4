import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import { collectOperations, type Operation } from '../../src/http/openapi';
import { expectError } from '../support/http';
import { createUser, type UserFixture } from '../support/fixtures';
import { createWorld, inHardeningDb, type World } from './world';
import { sendsBody } from './requests';
import { hardCall } from './client';
import { changedTables, hardeningDb, prepareHardeningDb, snapshot } from './isolated-db';

/**
 * OWASP API Security Top 10 (2023), the access-control items:
 * API1 broken object level authorization, API3 broken object property level authorization, API5 broken function
 * level authorization. Routes come from the app itself; who may call what comes from the contract.
 */

const operations = collectOperations(app);
const key = (op: Operation) => `${op.method} ${op.path}`;

/** The contract's "Who" column for routes a member may not call. Anything under /admin is admin-only as well. */
const ADMIN_ONLY = new Set([
  'POST /facilitators',
  'PATCH /facilitators/:id',
  'POST /passes',
  'PATCH /passes/:id',
  'POST /vouchers',
  'GET /vouchers',
  'POST /webhooks',
  'GET /webhooks',
  'DELETE /webhooks/:id',
  'POST /webhooks/:id/test',
  'GET /webhooks/:id/deliveries',
  'GET /admin/exports/bookings.csv',
]);
const FACILITATOR_OR_ADMIN = new Set([
  'GET /events/:id/bookings.csv',
  'POST /events',
  'PUT /events/:id',
  'PATCH /events/:id',
  'DELETE /events/:id',
  'GET /events/:id/bookings',
  'POST /series',
  'PATCH /series/:id',
  'DELETE /series/:id',
  'POST /check-in',
]);
/** Routes with an :id whose object is not the caller's to own: any member books any series, as any event. */
const SHARED_OBJECTS = new Set(['POST /series/:id/book', 'POST /passes/:id/purchase']);
const isAdminOnly = (op: Operation) => ADMIN_ONLY.has(key(op)) || op.path.startsWith('/admin');

let world: World;
let stranger: UserFixture;
let outboxId: string;
let seriesId: number;
let passId: number;
let memberPassId: number;

beforeAll(async () => {
  await prepareHardeningDb();
  world = await createWorld();
  stranger = await createUser('member', { ...inHardeningDb, name: 'Stranger' });
  // A real outbox row (the admin replay route's object), made by a real booking.
  const booked = await hardCall('POST', '/book', { token: world.otherMember.token, body: { event_id: world.freeEvent } });
  expect(booked.status).toBe(201);
  const row = await hardeningDb
    .prepare(`SELECT id FROM outbox WHERE json_extract(payload, '$.booking_id') = ?`)
    .bind(booked.json.booking.id)
    .first<{ id: string }>();
  outboxId = row!.id;
  // The world's facilitator's series (the series routes' object), made by the route.
  const series = await hardCall('POST', '/series', {
    token: world.admin.token,
    body: {
      title: 'Hardening series',
      type: 'Yoga',
      starts_at: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      timezone: 'Asia/Kolkata',
      location: 'Online',
      rrule: 'FREQ=WEEKLY;COUNT=3',
      facilitator_id: world.facilitator.facilitatorId,
    },
  });
  expect(series.status, series.text).toBe(201);
  seriesId = series.json.series.id;
  // A pass product and the world member's purchase of it (the pass routes' objects).
  const product = await hardCall('POST', '/passes', {
    token: world.admin.token,
    body: { name: 'Hardening pack', credits: 2, price: 1000, valid_days: 30 },
  });
  expect(product.status, product.text).toBe(201);
  passId = product.json.pass.id;
  const purchase = await hardeningDb
    .prepare(
      `INSERT INTO member_passes (user_id, pass_id, status, name, credits_total, unlimited, valid_days, amount_due, currency)
       VALUES (?, ?, 'pending_payment', 'Hardening pack', 2, 0, 30, 1000, 'INR') RETURNING id`,
    )
    .bind(world.member.id, passId)
    .first<{ id: number }>();
  memberPassId = purchase!.id;
});

/** The id of the world's object a path is about, by its first segment. */
function objectIdFor(op: Operation, w: World): string {
  const first = op.path.split('/')[1] ?? '';
  if (first === 'events') return String(w.event);
  if (first === 'facilitators') return String(w.facilitator.facilitatorId);
  if (first === 'admin') return outboxId;
  if (first === 'series') return String(seriesId);
  if (first === 'passes') return String(passId);
  if (first === 'pass-purchases' || first === 'me') return String(memberPassId);
  return String(w.booking);
}

/** A valid event body (online, so no geocoding), with the given fields on top. */
const onlineEvent = (fields: Record<string, unknown>) => ({
  type: 'Yoga',
  starts_at: new Date(Date.now() + 86_400_000).toISOString(),
  duration_minutes: 60,
  location: 'Online',
  ...fields,
});

const sampleBody = (op: Operation) => (sendsBody(op) ? { body: {} } : {});

describe('API5 broken function level authorization', () => {
  const privileged = operations.filter((op) => isAdminOnly(op) || FACILITATOR_OR_ADMIN.has(key(op)));

  it('every privileged route of the contract exists (a renamed route would silently escape these checks)', () => {
    const present = new Set(operations.map(key));
    for (const route of [...ADMIN_ONLY, ...FACILITATOR_OR_ADMIN]) expect(present, route).toContain(route);
  });

  it.each(privileged.map((op) => [key(op), op] as const))(
    "%s with a member's token is 403, checked before the body is validated",
    async (_key, op) => {
      const before = await snapshot();
      // An empty (invalid) body: a 400 here would let a member probe the schema of a route it may not call.
      const res = await hardCall(op.method, op.path.replace(/:id/g, objectIdFor(op, world)), {
        token: world.member.token,
        ...sampleBody(op),
      });
      expectError(res, 403, 'forbidden');
      expect(changedTables(before, await snapshot())).toEqual([]);
    },
  );

  it.each(operations.filter(isAdminOnly).map((op) => [key(op), op] as const))(
    "%s with a facilitator's token is 403",
    async (_key, op) => {
      const res = await hardCall(op.method, op.path.replace(/:id/g, objectIdFor(op, world)), {
        token: world.facilitator.token,
        ...sampleBody(op),
      });
      expectError(res, 403, 'forbidden');
    },
  );

  it('a token claiming role admin for a member (signed with the real secret) still acts as a member', async () => {
    const { signAccessToken, tokenSettings } = await import('../../src/modules/accounts/tokens');
    const { env } = await import('cloudflare:workers');
    const token = await signAccessToken(tokenSettings(env), { userId: world.member.id, role: 'admin' });
    expectError(await hardCall('GET', '/admin/notifications', { token }), 403, 'forbidden');
    const me = await hardCall('GET', '/me', { token });
    expect(me.json.user.role).toBe('member');
  });
});

describe('API1 broken object level authorization', () => {
  const objectRoutes = operations.filter((op) => !op.isPublic && /:id\b/.test(op.path) && !SHARED_OBJECTS.has(key(op)));

  it.each(objectRoutes.map((op) => [key(op), op] as const))(
    "%s on someone else's object with a member's token is refused and changes nothing",
    async (_key, op) => {
      const before = await snapshot();
      const res = await hardCall(op.method, op.path.replace(/:id/g, objectIdFor(op, world)), {
        token: stranger.token,
        ...sampleBody(op),
      });
      expectError(res, 403, 'forbidden');
      expect(changedTables(before, await snapshot())).toEqual([]);
    },
  );

  it.each([
    ['PATCH', (w: World) => `/events/${w.otherEvent}`, { title: 'Taken over' }],
    ['PUT', (w: World) => `/events/${w.otherEvent}`, { title: 'Taken over' }],
    ['DELETE', (w: World) => `/events/${w.otherEvent}`, undefined],
    ['GET', (w: World) => `/events/${w.otherEvent}/bookings`, undefined],
  ] as const)("%s another facilitator's event is 403 and changes nothing", async (method, path, body) => {
    const before = await snapshot();
    const res = await hardCall(method, path(world), { token: world.facilitator.token, body });
    expectError(res, 403, 'forbidden');
    expect(changedTables(before, await snapshot())).toEqual([]);
  });

  it('a facilitator cannot move its own event to another facilitator, nor create one for another', async () => {
    const move = await hardCall('PATCH', `/events/${world.event}`, {
      token: world.facilitator.token,
      body: { facilitator_id: world.otherFacilitator.facilitatorId },
    });
    expectError(move, 403, 'forbidden');
    const create = await hardCall('POST', '/events', {
      token: world.facilitator.token,
      body: onlineEvent({ title: 'Not mine', facilitator_id: world.otherFacilitator.facilitatorId }),
    });
    expectError(create, 403, 'forbidden');
  });

  it("confirming someone else's booking (booking_id in the body) is 403", async () => {
    const res = await hardCall('POST', '/confirm-booking', {
      token: stranger.token,
      body: { booking_id: world.booking, payment_intent_id: 'pi_stolen' },
    });
    expectError(res, 403, 'forbidden');
  });

  it("/my-bookings lists only the caller's bookings", async () => {
    const res = await hardCall('GET', '/my-bookings', { token: stranger.token });
    expect(res.status).toBe(200);
    expect([...res.json.upcoming_bookings, ...res.json.past_bookings]).toEqual([]);
    const owner = await hardCall('GET', '/my-bookings', { token: world.member.token });
    const all = [...owner.json.upcoming_bookings, ...owner.json.past_bookings];
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((b: { user_id: number }) => b.user_id === world.member.id)).toBe(true);
  });

  it('the owner and an admin do get the object (the refusals above are about ownership, not a broken route)', async () => {
    expect((await hardCall('GET', `/bookings/${world.booking}`, { token: world.member.token })).status).toBe(200);
    expect((await hardCall('GET', `/bookings/${world.booking}`, { token: world.admin.token })).status).toBe(200);
    expect((await hardCall('GET', `/events/${world.event}/bookings`, { token: world.facilitator.token })).status).toBe(200);
  });
});

describe('API3 broken object property level authorization', () => {
  it('mass assignment on POST /book: status, is_paid, user_id, id, payment fields are never applied', async () => {
    const w = await createWorld();
    const res = await hardCall('POST', '/book', {
      token: w.otherMember.token,
      body: {
        event_id: w.freeEvent,
        id: 1,
        user_id: w.member.id,
        status: 'cancelled',
        is_paid: true,
        payment_id: 'pay_forged',
        amount_paid: 1,
        booked_at: '2000-01-01T00:00:00Z',
      },
    });
    expect(res.status).toBe(201);
    expect(res.json.booking).toMatchObject({
      user_id: w.otherMember.id,
      status: 'confirmed',
      is_paid: false,
      payment_id: null,
      amount_paid: null,
    });
    expect(res.json.booking.id).not.toBe(1);
  });

  it('mass assignment on events: booked_count, seats_left, id, created_at are never applied', async () => {
    const w = await createWorld();
    const created = await hardCall('POST', '/events', {
      token: w.facilitator.token,
      body: onlineEvent({
        title: 'Mass assignment',
        capacity: 5,
        booked_count: 5,
        seats_left: 0,
        id: 1,
        created_at: '2000-01-01T00:00:00Z',
      }),
    });
    expect(created.status).toBe(201);
    expect(created.json.event).toMatchObject({ booked_count: 0, seats_left: 5 });
    expect(created.json.event.id).not.toBe(1);
    expect(created.json.event.created_at).not.toBe('2000-01-01T00:00:00.000Z');
    const patched = await hardCall('PATCH', `/events/${w.event}`, {
      token: w.facilitator.token,
      body: { booked_count: 0, seats_left: 99, id: 999_999 },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.event).toMatchObject({ id: w.event, booked_count: 1 });
  });

  it('a member cannot give itself a role, on register or anywhere it can write', async () => {
    const member = await createUser('member', inHardeningDb);
    for (const [method, path, body] of [
      ['POST', '/logout', { refresh_token: 'x', role: 'admin', user_id: 1 }],
      ['POST', '/book', { event_id: world.freeEvent, role: 'admin' }],
    ] as const) {
      await hardCall(method, path, { token: member.token, body });
    }
    const me = await hardCall('GET', '/me', { token: member.token });
    expect(me.json.user.role).toBe('member');
  });

  it('__proto__ and constructor keys in a body pollute nothing and grant nothing', async () => {
    const member = await createUser('member', inHardeningDb);
    const raw = `{"event_id": ${world.otherEvent}, "__proto__": {"role": "admin", "isAdmin": true}, "constructor": {"prototype": {"role": "admin"}}}`;
    const res = await hardCall('POST', '/book', {
      token: member.token,
      raw,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(201);
    expect(({} as Record<string, unknown>).role).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect((await hardCall('GET', '/admin/notifications', { token: member.token })).status).toBe(403);
  });

  it('crm_id and user_id of facilitators are shown to admins only; no response ever carries a password hash', async () => {
    const asMember = await hardCall('GET', '/facilitators', { token: world.member.token });
    const asAnyone = await hardCall('GET', `/facilitators/${world.facilitator.facilitatorId}`);
    for (const body of [asMember.json.facilitators, [asAnyone.json.facilitator]].flat()) {
      expect(body).not.toHaveProperty('crm_id');
      expect(body).not.toHaveProperty('user_id');
    }
    const asAdmin = await hardCall('GET', `/facilitators/${world.facilitator.facilitatorId}`, { token: world.admin.token });
    expect(asAdmin.json.facilitator).toHaveProperty('crm_id');
    const bookings = await hardCall('GET', `/events/${world.event}/bookings`, { token: world.admin.token });
    for (const res of [asMember, asAnyone, asAdmin, bookings]) expect(res.text).not.toMatch(/password|salt|hash/i);
  });
});
