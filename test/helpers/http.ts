import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';

const BASE = 'http://api.test';

export interface CallOptions {
  token?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** A raw body sent as is (no JSON encoding, no Content-Type unless given in headers). */
  raw?: BodyInit;
}

/** Calls the Worker exactly as a client would: through its fetch handler, with real D1 behind it. */
export async function call(method: string, path: string, options: CallOptions = {}) {
  const headers = new Headers(options.headers);
  if (options.token) headers.set('Authorization', `Bearer ${options.token}`);
  let body: BodyInit | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
  }
  const response = await exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
  const text = await response.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, json, text };
}

let counter = 0;
/** A unique address per call, so tests never collide on the unique email index. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}

export const PASSWORD = 'correct horse battery';

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

/** Asserts the contract's error shape and returns the body for further checks. */
export function expectError(response: { status: number; json: any; headers: Headers }, status: number, code: string) {
  expect({ status: response.status, code: response.json?.code }).toEqual({ status, code });
  expect(typeof response.json.msg).toBe('string');
  expect(response.json.msg.length).toBeGreaterThan(0);
  expect(response.json.request_id).toBe(response.headers.get('X-Request-Id'));
  return response.json;
}
