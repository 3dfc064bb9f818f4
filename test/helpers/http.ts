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

/** The Request a client would send: bearer token, JSON-encoded body with its Content-Type, or a raw body. */
export function clientRequest(method: string, path: string, options: CallOptions = {}): Request {
  const headers = new Headers(options.headers);
  if (options.token) headers.set('Authorization', `Bearer ${options.token}`);
  let body: BodyInit | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
  }
  return new Request(`${BASE}${path}`, { method, headers, body });
}

/** Calls the Worker exactly as a client would: through its fetch handler, with real D1 behind it. */
export async function call(method: string, path: string, options: CallOptions = {}) {
  const response = await exports.default.fetch(clientRequest(method, path, options));
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
  expectErrorShape(response);
  return response.json;
}

/**
 * The contract's error shape for any 4xx/5xx, whatever its code: JSON `{msg, code, request_id, issues?}` and nothing
 * else, `issues` only for validation, the headers the status promises, and no internals (stack, SQL) leaked.
 */
export function expectErrorShape(response: { status: number; json: any; headers: Headers; text?: string }) {
  const body = response.json;
  expect(response.headers.get('Content-Type') ?? '').toMatch(/^application\/json/);
  expect(body && typeof body === 'object' && !Array.isArray(body)).toBe(true);
  expect(Object.keys(body).every((key) => ['msg', 'code', 'request_id', 'issues'].includes(key))).toBe(true);
  expect(typeof body.msg).toBe('string');
  expect(body.msg.length).toBeGreaterThan(0);
  expect(body.code).toMatch(/^[a-z][a-z0-9_]*$/);
  expect(body.request_id).toBe(response.headers.get('X-Request-Id'));
  if (body.code === 'validation_failed') {
    expect(Array.isArray(body.issues) && body.issues.length > 0).toBe(true);
    for (const issue of body.issues) expect(Object.keys(issue).sort()).toEqual(['message', 'path']);
    for (const issue of body.issues) expect([typeof issue.path, typeof issue.message]).toEqual(['string', 'string']);
  } else {
    expect(body).not.toHaveProperty('issues');
  }
  if (response.status === 401) expect(response.headers.get('WWW-Authenticate') ?? '').toMatch(/^Bearer/);
  if (response.status === 429) expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0);
  expect(response.text ?? JSON.stringify(body)).not.toMatch(/D1_ERROR|SQLITE_|\n\s+at \S+ \(|at async /);
  return body;
}
