import { env } from 'cloudflare:workers';
import type { Role } from '../../src/env';
import { hashPassword } from '../../src/modules/accounts/passwords';
import { signAccessToken, tokenSettings } from '../../src/modules/accounts/tokens';
import { PASSWORD, uniqueEmail } from '../helpers/http';
import { hardeningDb } from './isolated-db';

/**
 * Accounts and data written straight into the hardening suites' own D1 (no PBKDF2, no routes), so they can set up
 * members, facilitators, admins, events and bookings in milliseconds and before the routes that create them exist.
 * Every account's password is PASSWORD (one PBKDF2 record computed once and shared); tests mostly act with tokens.
 */

let passwordRecord: ReturnType<typeof hashPassword> | null = null;

export interface Actor {
  id: number;
  email: string;
  name: string;
  role: Role;
  token: string;
}

export async function createActor(role: Role = 'member', name = `Hardening ${role}`): Promise<Actor> {
  const email = uniqueEmail(`hard-${role}`);
  passwordRecord ??= hashPassword(PASSWORD);
  const record = await passwordRecord;
  const row = await hardeningDb
    .prepare(
      `INSERT INTO users (name, email, role, password_algorithm, password_iterations, password_salt, password_hash)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .bind(name, email, role, record.algorithm, record.iterations, record.salt, record.hash)
    .first<{ id: number }>();
  const token = await signAccessToken(tokenSettings(env), { userId: row!.id, role });
  return { id: row!.id, email, name, role, token };
}

export interface FacilitatorActor extends Actor {
  facilitatorId: number;
}

export async function createFacilitator(name = 'Hardening Facilitator'): Promise<FacilitatorActor> {
  const actor = await createActor('facilitator', name);
  const row = await hardeningDb
    .prepare('INSERT INTO facilitators (name, crm_id, bio, user_id) VALUES (?, ?, ?, ?) RETURNING id')
    .bind(name, `crm-hard-${actor.id}-${crypto.randomUUID().slice(0, 8)}`, 'Hardening bio', actor.id)
    .first<{ id: number }>();
  return { ...actor, facilitatorId: row!.id };
}

export interface EventOptions {
  facilitatorId: number;
  title?: string;
  capacity?: number | null;
  price?: number;
  startsInHours?: number;
  status?: 'scheduled' | 'completed' | 'cancelled';
  latitude?: number | null;
  longitude?: number | null;
}

export async function createEvent(options: EventOptions): Promise<number> {
  const startsAt = Date.now() + (options.startsInHours ?? 72) * 3_600_000;
  const latitude = options.latitude === undefined ? 30.0869 : options.latitude;
  const longitude = options.longitude === undefined ? 78.2676 : options.longitude;
  const row = await hardeningDb
    .prepare(
      `INSERT INTO events (title, description, type, status, starts_at, ends_at, timezone, location, latitude, longitude,
       location_status, capacity, price, currency, facilitator_id)
     VALUES (?, 'Hardening event', 'Meditation', ?, ?, ?, 'Asia/Kolkata', 'Rishikesh', ?, ?, ?, ?, ?, 'INR', ?) RETURNING id`,
    )
    .bind(
      options.title ?? 'Hardening Retreat',
      options.status ?? 'scheduled',
      startsAt,
      startsAt + 3_600_000,
      latitude,
      longitude,
      latitude === null ? 'none' : 'resolved',
      options.capacity === undefined ? 10 : options.capacity,
      options.price ?? 0,
      options.facilitatorId,
    )
    .first<{ id: number }>();
  return row!.id;
}

/** A confirmed booking, with the event's booked_count kept in step as the app would. */
export async function createBooking(userId: number, eventId: number): Promise<number> {
  const now = Date.now();
  const [inserted] = await hardeningDb.batch<{ id: number }>([
    hardeningDb
      .prepare(
        `INSERT INTO bookings (event_id, user_id, status, booked_at, currency) VALUES (?, ?, 'confirmed', ?, 'INR') RETURNING id`,
      )
      .bind(eventId, userId, now),
    hardeningDb.prepare('UPDATE events SET booked_count = booked_count + 1 WHERE id = ?').bind(eventId),
  ]);
  return inserted!.results[0]!.id;
}

/** Everything a suite needs to act as each kind of caller on someone else's data. */
export async function createWorld() {
  const [member, otherMember, admin, facilitator, otherFacilitator] = await Promise.all([
    createActor('member', 'Hardening Member'),
    createActor('member', 'Hardening Other Member'),
    createActor('admin', 'Hardening Admin'),
    createFacilitator('Hardening Facilitator A'),
    createFacilitator('Hardening Facilitator B'),
  ]);
  const event = await createEvent({ facilitatorId: facilitator.facilitatorId, capacity: 50 });
  const otherEvent = await createEvent({ facilitatorId: otherFacilitator.facilitatorId, capacity: 50 });
  // An event nobody has booked yet, so generated bookings can succeed.
  const freeEvent = await createEvent({ facilitatorId: facilitator.facilitatorId, capacity: 3 });
  const paidEvent = await createEvent({ facilitatorId: facilitator.facilitatorId, capacity: 3, price: 50_000 });
  const booking = await createBooking(member.id, event);
  const otherBooking = await createBooking(otherMember.id, otherEvent);
  return {
    member,
    otherMember,
    admin,
    facilitator,
    otherFacilitator,
    event,
    otherEvent,
    freeEvent,
    paidEvent,
    booking,
    otherBooking,
  };
}

export type World = Awaited<ReturnType<typeof createWorld>>;
