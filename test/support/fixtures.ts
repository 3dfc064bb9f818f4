import { env } from 'cloudflare:workers';
import type { Role } from '../../src/env';
import { hashPassword, type PasswordRecord } from '../../src/modules/accounts/passwords';
import { signAccessToken, tokenSettings } from '../../src/modules/accounts/tokens';

/**
 * Users, facilitators, events and bookings written straight into D1 (no routes, no PBKDF2 per user), so a test sets
 * up its world in milliseconds and does not depend on the routes that would create it. Every factory takes the D1
 * database to write into: `env.DB` by default; the hardening suites pass their own `hardeningDb` (HARDENING_DB).
 * This file is the only place that knows the INSERT statements of those tables.
 */

const HOUR = 3_600_000;

/** Every account's password, whether made here or registered through the API. */
export const PASSWORD = 'correct horse battery';

let emailCounter = 0;
/** A unique address per call, so tests never collide on the unique email index. */
export function uniqueEmail(prefix = 'user'): string {
  emailCounter += 1;
  return `${prefix}-${Date.now().toString(36)}-${emailCounter}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}

let crmCounter = 0;
/** A unique facilitator CRM id (the column is unique). */
export const uniqueCrmId = () => `crm-${Date.now().toString(36)}-${++crmCounter}-${Math.random().toString(36).slice(2, 6)}`;

export const hoursFromNow = (hours: number) => new Date(Date.now() + hours * HOUR);

interface InDb {
  /** The database written to; env.DB unless given. */
  db?: D1Database;
}

// ---------------------------------------------------------------------------------------------------------------
// Users

export interface UserFixture {
  id: number;
  name: string;
  email: string;
  role: Role;
  /** A valid access token for this user. */
  token: string;
  /** The same id, name and email, shaped as the API's `user` object. */
  user: { id: number; name: string; email: string };
}

let passwordRecord: Promise<PasswordRecord> | undefined;

/**
 * Many users at once: one PBKDF2 hash (of PASSWORD) shared by all rows and tokens signed directly, so fifty users
 * cost milliseconds instead of fifty register + login round trips.
 */
export async function createUsers(
  count: number,
  role: Role = 'member',
  { db = env.DB, name }: InDb & { name?: string } = {},
): Promise<UserFixture[]> {
  passwordRecord ??= hashPassword(PASSWORD);
  const record = await passwordRecord;
  const insert = db.prepare(
    `INSERT INTO users (name, email, role, password_algorithm, password_iterations, password_salt, password_hash)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id, name, email`,
  );
  const results = await db.batch<{ id: number; name: string; email: string }>(
    Array.from({ length: count }, (_, i) =>
      insert.bind(
        name ?? `User ${i + 1}`,
        uniqueEmail(role),
        role,
        record.algorithm,
        record.iterations,
        record.salt,
        record.hash,
      ),
    ),
  );
  return Promise.all(
    results.map(async (result) => {
      const user = result.results[0]!;
      const token = await signAccessToken(tokenSettings(env), { userId: user.id, role });
      return { ...user, role, token, user };
    }),
  );
}

export async function createUser(role: Role = 'member', options: InDb & { name?: string } = {}): Promise<UserFixture> {
  const [created] = await createUsers(1, role, options);
  return created!;
}

/** Changes a user's role (the auth middleware reads it from the database on every request). */
export async function setUserRole(userId: number, role: Role, db = env.DB) {
  await db.prepare('UPDATE users SET role = ? WHERE id = ?').bind(role, userId).run();
}

// ---------------------------------------------------------------------------------------------------------------
// Facilitators

export interface FacilitatorOptions extends InDb {
  bio?: string | null;
  /** The account linked to the facilitator, if any. */
  userId?: number | null;
}

export async function createFacilitator(
  name = 'Test Facilitator',
  { db = env.DB, bio = null, userId = null }: FacilitatorOptions = {},
) {
  const crmId = uniqueCrmId();
  const row = await db
    .prepare('INSERT INTO facilitators (name, crm_id, bio, user_id) VALUES (?, ?, ?, ?) RETURNING id')
    .bind(name, crmId, bio, userId)
    .first<{ id: number }>();
  return { id: row!.id, name, crmId };
}

/** A facilitator account: a user with the facilitator role, linked to a facilitator record. */
export async function createFacilitatorAccount(name = 'Test Facilitator', options: Omit<FacilitatorOptions, 'userId'> = {}) {
  const user = await createUser('facilitator', { db: options.db, name });
  const facilitator = await createFacilitator(name, { ...options, userId: user.id });
  return { ...user, facilitatorId: facilitator.id };
}

// ---------------------------------------------------------------------------------------------------------------
// Events

export interface EventFixture {
  title?: string;
  description?: string;
  type?: string;
  status?: 'scheduled' | 'completed' | 'cancelled';
  /** A Date or epoch milliseconds; a week from now by default. */
  startsAt?: Date | number;
  /** An hour after the start by default. */
  endsAt?: Date | number;
  timezone?: string;
  location?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  /** `resolved` when coordinates are given, `online` otherwise, unless given. */
  locationStatus?: 'resolved' | 'pending' | 'online' | 'none';
  /** null means unlimited (the default). */
  capacity?: number | null;
  price?: number;
  currency?: string;
  /** A new facilitator is made (in the same database) when not given. */
  facilitatorId?: number;
  /** Set to the insert time for a cancelled event unless given. */
  cancelledAt?: Date | number | null;
  /** The cancellation policy (12 hours and 0 % unless given). */
  cancellationCutoffHours?: number;
  lateCancelRefundPercent?: number;
  /** A minimum attendance (go_decision becomes pending) and when it is decided (24 hours before unless given). */
  minAttendees?: number | null;
  decisionHoursBefore?: number;
}

const epoch = (value: Date | number) => (typeof value === 'number' ? value : value.getTime());

/** Inserts the events (in batches of 500); returns them with their ids, in order. */
export async function createEvents(specs: EventFixture[], { db = env.DB }: InDb = {}) {
  let defaultFacilitatorId: number | undefined;
  if (specs.some((s) => s.facilitatorId === undefined)) defaultFacilitatorId = (await createFacilitator(undefined, { db })).id;
  const insert = db.prepare(
    `INSERT INTO events (title, description, type, status, starts_at, ends_at, timezone, location, latitude, longitude,
     location_status, capacity, price, currency, cancellation_cutoff_hours, late_cancel_refund_percent, min_attendees,
     decision_hours_before, go_decision, facilitator_id, cancelled_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const created: Array<{ id: number; title: string; startsAt: Date; facilitatorId: number }> = [];
  for (let i = 0; i < specs.length; i += 500) {
    const chunk = specs.slice(i, i + 500).map((spec) => {
      const startsAt = epoch(spec.startsAt ?? hoursFromNow(7 * 24));
      const status = spec.status ?? 'scheduled';
      const latitude = spec.latitude ?? null;
      return {
        title: spec.title ?? `Session ${crypto.randomUUID().slice(0, 8)}`,
        startsAt,
        facilitatorId: spec.facilitatorId ?? defaultFacilitatorId!,
        values: [
          spec.description ?? '',
          spec.type ?? 'Yoga',
          status,
          startsAt,
          epoch(spec.endsAt ?? startsAt + HOUR),
          spec.timezone ?? 'UTC',
          spec.location === undefined ? 'Online' : spec.location,
          latitude,
          spec.longitude ?? null,
          spec.locationStatus ?? (latitude === null ? 'online' : 'resolved'),
          spec.capacity ?? null,
          spec.price ?? 0,
          spec.currency ?? 'INR',
          spec.cancellationCutoffHours ?? 12,
          spec.lateCancelRefundPercent ?? 0,
          spec.minAttendees ?? null,
          spec.decisionHoursBefore ?? 24,
          spec.minAttendees ? 'pending' : null,
        ],
        cancelledAt:
          spec.cancelledAt !== undefined && spec.cancelledAt !== null
            ? epoch(spec.cancelledAt)
            : spec.cancelledAt === undefined && status === 'cancelled'
              ? Date.now()
              : null,
      };
    });
    const results = await db.batch<{ id: number }>(
      chunk.map((row) => insert.bind(row.title, ...row.values, row.facilitatorId, row.cancelledAt)),
    );
    chunk.forEach((row, j) =>
      created.push({
        id: results[j]!.results[0]!.id,
        title: row.title,
        startsAt: new Date(row.startsAt),
        facilitatorId: row.facilitatorId,
      }),
    );
  }
  return created;
}

export async function createEvent(spec: EventFixture = {}, options: InDb = {}) {
  const [created] = await createEvents([spec], options);
  return created!;
}

/** Moves an event's start (e.g. into the past, to test "already started"), bypassing the routes' rules. */
export async function setEventStart(eventId: number, startsAt: Date, db = env.DB) {
  await db
    .prepare('UPDATE events SET starts_at = ?, ends_at = ? WHERE id = ?')
    .bind(startsAt.getTime(), startsAt.getTime() + HOUR, eventId)
    .run();
}

export async function bookedCount(eventId: number, db = env.DB) {
  const row = await db.prepare('SELECT booked_count FROM events WHERE id = ?').bind(eventId).first<{ booked_count: number }>();
  return row!.booked_count;
}

// ---------------------------------------------------------------------------------------------------------------
// Bookings

/** A confirmed booking (the event's policy snapshot and a check-in code), with booked_count kept in step as the app would. */
export async function createBooking(userId: number, eventId: number, { db = env.DB }: InDb = {}): Promise<number> {
  const [inserted] = await db.batch<{ id: number }>([
    db
      .prepare(
        `INSERT INTO bookings (event_id, user_id, status, booked_at, currency, policy_cutoff_hours, policy_late_refund_percent,
           check_in_code)
         SELECT id, ?, 'confirmed', ?, 'INR', cancellation_cutoff_hours, late_cancel_refund_percent, lower(hex(randomblob(16)))
         FROM events WHERE id = ? RETURNING id`,
      )
      .bind(userId, Date.now(), eventId),
    db.prepare('UPDATE events SET booked_count = booked_count + 1 WHERE id = ?').bind(eventId),
  ]);
  return inserted!.results[0]!.id;
}

export async function bookingRow(id: number, db = env.DB) {
  return db.prepare('SELECT * FROM bookings WHERE id = ?').bind(id).first<Record<string, any>>();
}

// ---------------------------------------------------------------------------------------------------------------
// Outbox

export interface OutboxFixtureRow {
  id: string;
  type: string;
  status: string;
  attempts: number;
  payload: Record<string, any>;
}

/** The outbox rows about these bookings (or this event), oldest first. */
export async function outboxRowsFor(
  filter: { bookingIds?: number[]; eventId?: number },
  db = env.DB,
): Promise<OutboxFixtureRow[]> {
  const { results } = await db
    .prepare(
      `SELECT id, type, status, attempts, payload FROM outbox
       WHERE (json_extract(payload, '$.booking_id') IN (SELECT value FROM json_each(?)))
          OR (? IS NOT NULL AND json_extract(payload, '$.event.id') = ?)
       ORDER BY created_at, rowid`,
    )
    .bind(JSON.stringify(filter.bookingIds ?? []), filter.eventId ?? null, filter.eventId ?? null)
    .all<Omit<OutboxFixtureRow, 'payload'> & { payload: string }>();
  return results.map((row) => ({ ...row, payload: JSON.parse(row.payload) as Record<string, any> }));
}

/** The outbox rows about one booking, oldest first. */
export const outboxFor = (bookingId: number, db = env.DB) => outboxRowsFor({ bookingIds: [bookingId] }, db);
