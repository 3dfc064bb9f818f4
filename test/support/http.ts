import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import type { Hono } from 'hono';
import { testClient } from 'hono/testing';
import { expect } from 'vitest';
import { app } from '../../src/app';

/** The HTTP client side of the tests: building requests, calling the Worker, and the contract's error shape. */

const BASE = 'http://api.test';

export interface CallOptions {
  token?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** A raw body sent as is (no JSON encoding, no Content-Type unless given in headers). */
  raw?: BodyInit;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body; null when the body is empty or not JSON. */
  json: any;
  text: string;
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

async function answer(response: Response): Promise<ApiResponse> {
  const text = await response.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** Calls the Worker exactly as a client would: through its fetch handler, with real D1 behind it. */
export async function call(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
  return answer(await exports.default.fetch(clientRequest(method, path, options)));
}

/**
 * A typed client (hono/testing's testClient) for one feature's routes: paths, parameters, bodies and answers are typed
 * from the route module, while every request goes through the whole Worker as `call` does (request id, D1 session,
 * authentication, error handler). testClient only needs `request`, so the route module's type is lent to the Worker.
 */
export function typedClient<Routes extends Hono<any, any, any>>(_routes: Routes, token?: string) {
  const worker = {
    request: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(input, init)),
  } as unknown as Routes;
  return testClient(worker, undefined, undefined, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
}

/**
 * Calls the app with some bindings or settings replaced for this request only (a Google key, a fake queue, an
 * instrumented D1), without touching the configuration other tests see; waits for the work it left in waitUntil,
 * so the answer and everything it caused are in.
 */
export async function fetchWithEnv(request: Request, overrides: Partial<Env> | Record<string, unknown>): Promise<ApiResponse> {
  const ctx = createExecutionContext();
  const response = await app.fetch(request, { ...env, ...overrides }, ctx);
  const result = await answer(response);
  await waitOnExecutionContext(ctx);
  return result;
}

export async function callWithEnv(overrides: Partial<Env>, method: string, path: string, options: CallOptions = {}) {
  return fetchWithEnv(clientRequest(method, path, options), overrides);
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
  expect(Object.keys(body).every((key) => ['msg', 'code', 'request_id', 'issues', 'alternatives'].includes(key))).toBe(true);
  // alternatives: only on event_full (a full event's similar events with free seats).
  if ('alternatives' in body) expect(body.code).toBe('event_full');
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
