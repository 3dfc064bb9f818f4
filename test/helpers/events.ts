import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { app } from '../../src/app';
import { call, registerAndLogin, uniqueEmail, type CallOptions } from './http';

/** A fresh account with the given role (set in D1; the auth middleware reads the role from the database). */
export async function loginAs(role: 'member' | 'admin' | 'facilitator', name = `Test ${role}`) {
  const session = await registerAndLogin(name, uniqueEmail(role));
  if (role !== 'member') await env.DB.prepare('UPDATE users SET role = ? WHERE id = ?').bind(role, session.user.id).run();
  return session;
}

let crmCounter = 0;
export const uniqueCrmId = () => `crm-${Date.now().toString(36)}-${++crmCounter}-${Math.random().toString(36).slice(2, 6)}`;

/** A facilitator record linked to a fresh account, created through the API by an admin. */
export async function facilitatorAccount(adminToken: string, name = 'Test Facilitator') {
  const session = await registerAndLogin(name, uniqueEmail('facilitator'));
  const res = await call('POST', '/facilitators', {
    token: adminToken,
    body: { name, crm_id: uniqueCrmId(), user_id: session.user.id },
  });
  expect(res.status).toBe(201);
  return { ...session, facilitatorId: res.json.facilitator.id as number };
}

const DAY = 24 * 3600 * 1000;
export const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

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

/**
 * Calls the app with some settings changed for this request only (e.g. a Google key, a fake jobs queue), without
 * touching the shared configuration other tests see.
 */
export async function callWithEnv(overrides: Partial<Env>, method: string, path: string, options: CallOptions = {}) {
  const headers = new Headers(options.headers);
  if (options.token) headers.set('Authorization', `Bearer ${options.token}`);
  if (options.body !== undefined) headers.set('Content-Type', 'application/json');
  const request = new Request(`http://api.test${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const ctx = createExecutionContext();
  const response = await app.fetch(request, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : null, text };
}
