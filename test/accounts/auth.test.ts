import { env } from 'cloudflare:workers';
import { SignJWT, base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { registerAndLogin } from '../support/api';
import { PASSWORD, uniqueEmail } from '../support/fixtures';
import { call, expectError } from '../support/http';

describe('POST /register', () => {
  it('creates a member and never returns the password hash', async () => {
    const email = uniqueEmail();
    const res = await call('POST', '/register', {
      body: { name: '  Asha  ', email: `  ${email.toUpperCase()} `, password: PASSWORD },
    });
    expect(res.status).toBe(201);
    expect(res.json.msg).toBe('Registration successful');
    expect(res.json.user).toEqual({
      id: expect.any(Number),
      name: 'Asha',
      email,
      role: 'member',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(res.text).not.toMatch(/password|hash|salt/i);
  });

  it('is 409 email_taken for the same address in another case', async () => {
    const email = uniqueEmail();
    await call('POST', '/register', { body: { name: 'A', email, password: PASSWORD } });
    const again = await call('POST', '/register', { body: { name: 'B', email: email.toUpperCase(), password: PASSWORD } });
    expectError(again, 409, 'email_taken');
  });

  it('ignores a role (and an id) in the body', async () => {
    const res = await call('POST', '/register', {
      body: { name: 'Mallory', email: uniqueEmail(), password: PASSWORD, role: 'admin', id: 1 },
    });
    expect(res.status).toBe(201);
    expect(res.json.user.role).toBe('member');
    expect(res.json.user.id).not.toBe(1);
  });

  it('stores PBKDF2 parameters beside the hash, at the 100,000-iteration cap', async () => {
    const email = uniqueEmail();
    await call('POST', '/register', { body: { name: 'P', email, password: PASSWORD } });
    const row = await env.DB.prepare(
      'SELECT password_algorithm, password_iterations, password_salt, password_hash FROM users WHERE email = ?',
    )
      .bind(email)
      .first<Record<string, string | number>>();
    expect(row).toMatchObject({ password_algorithm: 'pbkdf2-sha256', password_iterations: 100000 });
    expect(String(row!.password_hash)).not.toContain(PASSWORD);
  });
});

describe('bad input to the account routes', () => {
  const valid = () => ({ name: 'Valid Name', email: uniqueEmail(), password: PASSWORD });
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['missing name', { email: 'a@b.co', password: PASSWORD }, 'name'],
    ['missing email', { name: 'A', password: PASSWORD }, 'email'],
    ['missing password', { name: 'A', email: 'a@b.co' }, 'password'],
    ['name as number', { name: 42, email: 'a@b.co', password: PASSWORD }, 'name'],
    ['email as list', { name: 'A', email: ['a@b.co'], password: PASSWORD }, 'email'],
    ['password as object', { name: 'A', email: 'a@b.co', password: { x: 1 } }, 'password'],
    ['null name', { name: null, email: 'a@b.co', password: PASSWORD }, 'name'],
    ['empty name', { name: '   ', email: 'a@b.co', password: PASSWORD }, 'name'],
    ['empty email', { name: 'A', email: '', password: PASSWORD }, 'email'],
    ['not an email', { name: 'A', email: 'not-an-email', password: PASSWORD }, 'email'],
    ['short password', { name: 'A', email: 'a@b.co', password: 'short' }, 'password'],
    ['overlong password', { name: 'A', email: 'a@b.co', password: 'x'.repeat(129) }, 'password'],
    ['overlong name', { name: 'n'.repeat(101), email: 'a@b.co', password: PASSWORD }, 'name'],
    ['overlong email', { name: 'A', email: `${'e'.repeat(250)}@b.co`, password: PASSWORD }, 'email'],
  ];

  it.each(cases)('register with %s is 400 validation_failed naming the field', async (_label, body, field) => {
    const res = await call('POST', '/register', { body });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.issues.map((issue: { path: string }) => issue.path)).toContain(field);
    expect(error.issues.every((issue: { message: string }) => typeof issue.message === 'string')).toBe(true);
  });

  it('a JSON array or scalar body is a validation error, not a 500', async () => {
    for (const body of [[], 'text', 42, null]) {
      const res = await call('POST', '/register', { body });
      expectError(res, 400, 'validation_failed');
    }
  });

  it.each(['/register', '/login', '/token/refresh'])('%s: non-JSON body is 400 invalid_json', async (path) => {
    const res = await call('POST', path, { raw: '{"email": ', headers: { 'Content-Type': 'application/json' } });
    expectError(res, 400, 'invalid_json');
  });

  it.each(['/register', '/login', '/token/refresh'])('%s: wrong content type is 415', async (path) => {
    const form = await call('POST', path, {
      raw: 'email=a@b.co',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expectError(form, 415, 'unsupported_media_type');
    const none = await call('POST', path, { raw: JSON.stringify(valid()) });
    expectError(none, 415, 'unsupported_media_type');
  });

  it('a 70 KiB body is 413 whether or not Content-Length is declared', async () => {
    const big = JSON.stringify({ ...valid(), name: 'x'.repeat(70 * 1024) });
    const declared = await call('POST', '/register', { raw: big, headers: { 'Content-Type': 'application/json' } });
    expectError(declared, 413, 'payload_too_large');
    const stream = new Blob([big]).stream();
    const chunked = await call('POST', '/register', { raw: stream, headers: { 'Content-Type': 'application/json' } });
    expectError(chunked, 413, 'payload_too_large');
  });

  it('a rejected registration writes nothing', async () => {
    const email = uniqueEmail();
    await call('POST', '/register', { body: { name: '', email, password: PASSWORD } });
    const row = await env.DB.prepare('SELECT count(*) AS n FROM users WHERE email = ?').bind(email).first<{ n: number }>();
    expect(row!.n).toBe(0);
  });

  it('login with missing or mistyped fields is 400, never 500', async () => {
    for (const body of [{}, { email: 'a@b.co' }, { email: 5, password: PASSWORD }, { email: 'a@b.co', password: '' }]) {
      expectError(await call('POST', '/login', { body }), 400, 'validation_failed');
    }
  });
});

describe('login, refresh, logout, me', () => {
  it('login returns a bearer session, and /me the user', async () => {
    const email = uniqueEmail();
    await call('POST', '/register', { body: { name: 'Kiran', email, password: PASSWORD } });
    const login = await call('POST', '/login', { body: { email: email.toUpperCase(), password: PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600, user: { email, name: 'Kiran', role: 'member' } });
    expect(login.json.access_token.split('.')).toHaveLength(3);
    expect(login.json.refresh_token).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    const me = await call('GET', '/me', { token: login.json.access_token });
    expect(me.status).toBe(200);
    expect(me.json).toEqual({ user: login.json.user });
  });

  it('access token carries the contract claims', async () => {
    const { token, user } = await registerAndLogin();
    const [, payload] = token.split('.');
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!)));
    expect(claims).toMatchObject({ sub: String(user.id), role: 'member', iss: env.JWT_ISSUER, aud: env.JWT_AUDIENCE });
    expect(claims.exp - claims.iat).toBe(3600);
    expect(typeof claims.jti).toBe('string');
  });

  it('wrong password and unknown email give the same 401', async () => {
    const { email } = await registerAndLogin();
    const wrong = await call('POST', '/login', { body: { email, password: 'not the password' } });
    const unknown = await call('POST', '/login', { body: { email: uniqueEmail(), password: PASSWORD } });
    expectError(wrong, 401, 'unauthorized');
    expectError(unknown, 401, 'unauthorized');
    expect(wrong.json.msg).toBe(unknown.json.msg);
  });

  it('refresh rotates: the new token works, the old one stops working', async () => {
    const session = await registerAndLogin();
    const first = await call('POST', '/token/refresh', { body: { refresh_token: session.refreshToken } });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ token_type: 'Bearer', user: { id: session.user.id } });
    expect(first.json.refresh_token).not.toBe(session.refreshToken);
    expect((await call('GET', '/me', { token: first.json.access_token })).status).toBe(200);

    const reused = await call('POST', '/token/refresh', { body: { refresh_token: session.refreshToken } });
    expectError(reused, 401, 'unauthorized');
    expect(reused.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
  });

  it('reusing a rotated-away token revokes the whole family (theft detection)', async () => {
    const session = await registerAndLogin();
    const rotated = await call('POST', '/token/refresh', { body: { refresh_token: session.refreshToken } });
    await call('POST', '/token/refresh', { body: { refresh_token: session.refreshToken } });
    const descendant = await call('POST', '/token/refresh', { body: { refresh_token: rotated.json.refresh_token } });
    expectError(descendant, 401, 'unauthorized');
  });

  it('two concurrent refreshes with one token: exactly one wins', async () => {
    const session = await registerAndLogin();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => call('POST', '/token/refresh', { body: { refresh_token: session.refreshToken } })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(4);
  });

  it('logout revokes the refresh token and answers 204', async () => {
    const session = await registerAndLogin();
    const out = await call('POST', '/logout', { token: session.token, body: { refresh_token: session.refreshToken } });
    expect(out.status).toBe(204);
    expect(out.text).toBe('');
    const refresh = await call('POST', '/token/refresh', { body: { refresh_token: session.refreshToken } });
    expectError(refresh, 401, 'unauthorized');
  });

  it("logout cannot revoke someone else's refresh token", async () => {
    const alice = await registerAndLogin();
    const bob = await registerAndLogin();
    await call('POST', '/logout', { token: bob.token, body: { refresh_token: alice.refreshToken } });
    const refresh = await call('POST', '/token/refresh', { body: { refresh_token: alice.refreshToken } });
    expect(refresh.status).toBe(200);
  });

  it('an unknown refresh token is 401', async () => {
    expectError(await call('POST', '/token/refresh', { body: { refresh_token: 'nope' } }), 401, 'unauthorized');
  });
});

describe('access tokens that must be rejected', () => {
  const secret = new TextEncoder().encode(env.JWT_SECRET);
  const sign = (overrides: { alg?: string; iss?: string; aud?: string; exp?: number; key?: Uint8Array; sub?: string } = {}) =>
    new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: overrides.alg ?? 'HS256' })
      .setSubject(overrides.sub ?? '1')
      .setIssuer(overrides.iss ?? env.JWT_ISSUER)
      .setAudience(overrides.aud ?? env.JWT_AUDIENCE)
      .setIssuedAt()
      .setJti(crypto.randomUUID())
      .setExpirationTime(overrides.exp ?? Math.floor(Date.now() / 1000) + 600)
      .sign(overrides.key ?? secret);

  const unsigned = () => {
    const enc = (value: object) => base64url.encode(JSON.stringify(value));
    const now = Math.floor(Date.now() / 1000);
    return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: '1', role: 'admin', iss: env.JWT_ISSUER, aud: env.JWT_AUDIENCE, iat: now, exp: now + 600, jti: 'x' })}.`;
  };

  const cases: Array<[string, () => Promise<string | null> | string | null]> = [
    ['no token', () => null],
    ['garbage', () => 'not-a-jwt'],
    ['wrong signature', () => sign({ key: new TextEncoder().encode('another-secret-another-secret-another') })],
    ['alg none', unsigned],
    ['another algorithm (HS512)', () => sign({ alg: 'HS512' })],
    ['expired', () => sign({ exp: Math.floor(Date.now() / 1000) - 10 })],
    ['wrong issuer', () => sign({ iss: 'someone-else' })],
    ['wrong audience', () => sign({ aud: 'another-app' })],
    ['a user that does not exist', () => sign({ sub: '999999999' })],
  ];

  it.each(cases)('%s: 401 with WWW-Authenticate', async (_label, make) => {
    const token = await make();
    const res = await call('GET', '/me', token ? { token } : {});
    expectError(res, 401, 'unauthorized');
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
  });

  it('a refresh token used as an access token is 401', async () => {
    const session = await registerAndLogin();
    const res = await call('GET', '/me', { token: session.refreshToken });
    expectError(res, 401, 'unauthorized');
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
  });

  it('a rotated-away refresh token cannot be used as an access token either', async () => {
    const session = await registerAndLogin();
    await call('POST', '/token/refresh', { body: { refresh_token: session.refreshToken } });
    expectError(await call('GET', '/me', { token: session.refreshToken }), 401, 'unauthorized');
  });

  it('a malformed Authorization header is 401', async () => {
    const res = await call('GET', '/me', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
    expectError(res, 401, 'unauthorized');
  });
});

describe('failed-login limit', () => {
  it('the 6th failed login for one email inside the window is 429 with Retry-After', async () => {
    const { email } = await registerAndLogin();
    for (let attempt = 1; attempt <= 5; attempt++) {
      expectError(await call('POST', '/login', { body: { email, password: `wrong-${attempt}-password` } }), 401, 'unauthorized');
    }
    const sixth = await call('POST', '/login', { body: { email: email.toUpperCase(), password: 'wrong-6-password' } });
    expectError(sixth, 429, 'rate_limited');
    const retryAfter = Number(sixth.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(Number(env.LOGIN_WINDOW_SECONDS));
    // Locked means locked: the right password does not get through either.
    expectError(await call('POST', '/login', { body: { email, password: PASSWORD } }), 429, 'rate_limited');
  });

  it('failures for one email do not lock another', async () => {
    const victim = await registerAndLogin();
    const other = await registerAndLogin();
    for (let attempt = 0; attempt < 6; attempt++)
      await call('POST', '/login', { body: { email: victim.email, password: 'wrong-password' } });
    expect((await call('POST', '/login', { body: { email: other.email, password: PASSWORD } })).status).toBe(200);
  });

  it('a successful login clears earlier failures', async () => {
    const { email } = await registerAndLogin();
    for (let attempt = 0; attempt < 4; attempt++) await call('POST', '/login', { body: { email, password: 'wrong-password' } });
    expect((await call('POST', '/login', { body: { email, password: PASSWORD } })).status).toBe(200);
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await call('POST', '/login', { body: { email, password: 'wrong-password' } })).status).toBe(401);
    }
  });

  it('is keyed on email and client address together: a stranger elsewhere cannot lock the owner out', async () => {
    const { email } = await registerAndLogin();
    const from = (address: string, password: string) =>
      call('POST', '/login', { body: { email, password }, headers: { 'CF-Connecting-IP': address } });
    const stranger = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    for (let attempt = 0; attempt < 5; attempt++) expectError(await from(stranger, 'wrong-password'), 401, 'unauthorized');
    expectError(await from(stranger, PASSWORD), 429, 'rate_limited');
    // The owner, from another address, still signs in; the stranger's address stays locked.
    expect((await from(`2001:db8::${crypto.randomUUID().slice(0, 4)}`, PASSWORD)).status).toBe(200);
    expectError(await from(stranger, PASSWORD), 429, 'rate_limited');
  });
});
