import { env } from 'cloudflare:workers';
import type { Role } from '../../src/env';
import { hashPassword, type PasswordRecord } from '../../src/modules/accounts/passwords';
import { signAccessToken, tokenSettings } from '../../src/modules/accounts/tokens';
import type { CrmNotification } from '../../src/modules/crm/messages';
import { call, PASSWORD, uniqueEmail } from './http';

const HOUR = 3600_000;

/** Rows inserted straight into D1, so booking tests do not depend on the event routes. */
export async function createFacilitator(name = 'Test Facilitator') {
  const crmId = `crm-${crypto.randomUUID().slice(0, 12)}`;
  const row = await env.DB.prepare('INSERT INTO facilitators (name, crm_id) VALUES (?, ?) RETURNING id')
    .bind(name, crmId)
    .first<{ id: number }>();
  return { id: row!.id, name, crmId };
}

export interface EventFixture {
  title?: string;
  startsAt?: Date;
  capacity?: number | null;
  price?: number;
  status?: 'scheduled' | 'completed' | 'cancelled';
  facilitatorId?: number;
}

export async function createEvent(options: EventFixture = {}) {
  const facilitatorId = options.facilitatorId ?? (await createFacilitator()).id;
  const startsAt = options.startsAt ?? new Date(Date.now() + 7 * 24 * HOUR);
  const title = options.title ?? `Session ${crypto.randomUUID().slice(0, 8)}`;
  const row = await env.DB.prepare(
    `INSERT INTO events (title, type, status, starts_at, ends_at, capacity, price, facilitator_id, location, location_status)
     VALUES (?, 'Yoga', ?, ?, ?, ?, ?, ?, 'Online', 'online') RETURNING id`,
  )
    .bind(
      title,
      options.status ?? 'scheduled',
      startsAt.getTime(),
      startsAt.getTime() + HOUR,
      options.capacity === undefined ? null : options.capacity,
      options.price ?? 0,
      facilitatorId,
    )
    .first<{ id: number }>();
  return { id: row!.id, title, startsAt, facilitatorId };
}

/** Moves an event's start (e.g. into the past, to test "already started"), bypassing the routes' rules. */
export async function setEventStart(eventId: number, startsAt: Date) {
  await env.DB.prepare('UPDATE events SET starts_at = ?, ends_at = ? WHERE id = ?')
    .bind(startsAt.getTime(), startsAt.getTime() + HOUR, eventId)
    .run();
}

let passwordRecord: Promise<PasswordRecord> | undefined;

/**
 * Many users at once: one PBKDF2 hash (of PASSWORD) shared by all rows and tokens signed directly, so fifty
 * users cost milliseconds instead of fifty register + login round trips.
 */
export async function createUsers(count: number, role: Role = 'member') {
  passwordRecord ??= hashPassword(PASSWORD);
  const record = await passwordRecord;
  const insert = env.DB.prepare(
    `INSERT INTO users (name, email, role, password_algorithm, password_iterations, password_salt, password_hash)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id, name, email`,
  );
  const results = await env.DB.batch<{ id: number; name: string; email: string }>(
    Array.from({ length: count }, (_, i) =>
      insert.bind(`User ${i + 1}`, uniqueEmail('fixture'), role, record.algorithm, record.iterations, record.salt, record.hash),
    ),
  );
  return Promise.all(
    results.map(async (result) => {
      const user = result.results[0]!;
      return { user, token: await signAccessToken(tokenSettings(env), { userId: user.id, role }) };
    }),
  );
}

export async function createUser(role: Role = 'member') {
  const [created] = await createUsers(1, role);
  return created!;
}

export interface OutboxFixtureRow {
  id: string;
  type: string;
  status: string;
  attempts: number;
  payload: Record<string, any>;
}

/** The outbox rows about these bookings (or this event), oldest first. */
export async function outboxRowsFor(filter: { bookingIds?: number[]; eventId?: number }) {
  const { results } = await env.DB.prepare(
    `SELECT id, type, status, attempts, payload FROM outbox
     WHERE (json_extract(payload, '$.booking_id') IN (SELECT value FROM json_each(?)))
        OR (? IS NOT NULL AND json_extract(payload, '$.event.id') = ?)
     ORDER BY created_at, rowid`,
  )
    .bind(JSON.stringify(filter.bookingIds ?? []), filter.eventId ?? null, filter.eventId ?? null)
    .all<Omit<OutboxFixtureRow, 'payload'> & { payload: string }>();
  return results.map((row) => ({ ...row, payload: JSON.parse(row.payload) as Record<string, any> }));
}

/** A real booking through POST /book, with its outbox row and CRM message (the production path). */
export async function bookedMessage() {
  const event = await createEvent();
  const { token } = await createUser();
  const res = await call('POST', '/book', { token, body: { event_id: event.id } });
  const [row] = await outboxRowsFor({ bookingIds: [res.json.booking.id] });
  return { row: row!, message: row!.payload as CrmNotification, bookingId: res.json.booking.id as number };
}
