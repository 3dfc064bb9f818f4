import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { CrmNotification } from '../../src/modules/crm/messages';
import { handleScheduled } from '../../src/scheduled';
import { createEvent, createUser, outboxRowsFor, PASSWORD, setUserRole, uniqueCrmId, uniqueEmail } from './fixtures';
import { call } from './http';

/**
 * Set-up that goes through the Worker's own entry points (routes, cron) rather than straight into D1: accounts
 * registered and logged in, facilitators and events created by the routes, a booking made by POST /book.
 */

export async function registerAndLogin(name = 'Test User', email = uniqueEmail()) {
  const registered = await call('POST', '/register', { body: { name, email, password: PASSWORD } });
  expect(registered.status).toBe(201);
  const login = await call('POST', '/login', { body: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  return {
    user: login.json.user as { id: number; name: string; email: string; role: string },
    token: login.json.access_token as string,
    refreshToken: login.json.refresh_token as string,
    email,
  };
}

/** A fresh registered account with the given role (set in D1; the auth middleware reads the role from the database). */
export async function loginAs(role: 'member' | 'admin' | 'facilitator', name = `Test ${role}`) {
  const session = await registerAndLogin(name, uniqueEmail(role));
  if (role !== 'member') await setUserRole(session.user.id, role);
  return session;
}

/** A facilitator record linked to a freshly registered account, created through POST /facilitators by an admin. */
export async function registerFacilitator(adminToken: string, name = 'Test Facilitator') {
  const session = await registerAndLogin(name, uniqueEmail('facilitator'));
  const res = await call('POST', '/facilitators', {
    token: adminToken,
    body: { name, crm_id: uniqueCrmId(), user_id: session.user.id },
  });
  expect(res.status).toBe(201);
  return { ...session, facilitatorId: res.json.facilitator.id as number };
}

const DAY = 24 * 3600 * 1000;
/** An ISO instant `days` from now, as a client writes it in a request body. */
export const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/** A valid POST /events body. */
export function eventBody(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Morning Meditation',
    description: 'Quiet sitting',
    type: 'Meditation',
    starts_at: inDays(3),
    latitude: 12.5,
    longitude: 77.5,
    capacity: 20,
    ...overrides,
  };
}

export async function createEventAs(token: string, overrides: Record<string, unknown> = {}) {
  const res = await call('POST', '/events', { token, body: eventBody(overrides) });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json.event as Record<string, any>;
}

/** Books through POST /book (201 expected); returns the booking. */
export async function bookAs(token: string, eventId: number, waitlist = false) {
  const res = await call('POST', '/book', { token, body: { event_id: eventId, waitlist } });
  expect(res.status).toBe(201);
  return res.json.booking as { id: number; status: string };
}

/** A real booking through POST /book, with its outbox row and CRM message (the production path). */
export async function bookedMessage() {
  const event = await createEvent();
  const { token } = await createUser();
  const res = await call('POST', '/book', { token, body: { event_id: event.id } });
  const [row] = await outboxRowsFor({ bookingIds: [res.json.booking.id] });
  return { row: row!, message: row!.payload as CrmNotification, bookingId: res.json.booking.id as number };
}

/** Runs the cron trigger's handler once, as the runtime would, and waits for everything it started. */
export async function runCron(scheduledTime = Date.now()) {
  const ctx = createExecutionContext();
  await handleScheduled(createScheduledController({ scheduledTime, cron: '*/5 * * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);
}
