import { describe, expect, it } from 'vitest';
import { call, expectError } from '../support/http';

describe('GET /health', () => {
  it('answers ok after checking D1, with a request id', async () => {
    const res = await call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok' });
    expect(res.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("echoes the caller's sane request id and replaces an unsafe one", async () => {
    const sane = await call('GET', '/health', { headers: { 'X-Request-Id': 'client-trace.42' } });
    expect(sane.headers.get('X-Request-Id')).toBe('client-trace.42');
    const unsafe = await call('GET', '/health', { headers: { 'X-Request-Id': 'x'.repeat(300) } });
    expect(unsafe.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets secure headers', async () => {
    const res = await call('GET', '/health');
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('X-Frame-Options')).toBe('SAMEORIGIN');
  });
});

describe('unknown routes', () => {
  it('are a JSON 404 even without a token', async () => {
    const res = await call('GET', '/no-such-route');
    expectError(res, 404, 'not_found');
  });

  it('are a JSON 404 for a POST with any content type', async () => {
    const res = await call('POST', '/no-such-route', { raw: 'hello', headers: { 'Content-Type': 'text/plain' } });
    expectError(res, 404, 'not_found');
  });
});

describe('CORS', () => {
  it('allows a configured origin and omits others', async () => {
    const allowed = await call('OPTIONS', '/events', {
      headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'GET' },
    });
    expect(allowed.headers.get('Access-Control-Allow-Origin')).toBe('http://localhost:3000');
    const denied = await call('OPTIONS', '/events', {
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(denied.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});
