import { env } from 'cloudflare:workers';
import { SignJWT, base64url } from 'jose';
import type { UserFixture } from '../support/fixtures';

/** Access tokens an attacker might present, each of which must be refused (401) on every route, public or not. */
export async function forgedTokens(victim: UserFixture) {
  const key = new TextEncoder().encode(env.JWT_SECRET);
  const claims = (overrides: Record<string, unknown> = {}) => ({
    role: 'admin',
    iss: env.JWT_ISSUER,
    aud: env.JWT_AUDIENCE,
    sub: String(victim.id),
    jti: crypto.randomUUID(),
    iat: Math.floor(Date.now() / 1000) - 10,
    exp: Math.floor(Date.now() / 1000) + 600,
    ...overrides,
  });
  const sign = (payload: Record<string, unknown>, secret: Uint8Array = key, alg = 'HS256') =>
    new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(secret);
  const unsigned = (payload: Record<string, unknown>, header: Record<string, unknown>) =>
    `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}.`;
  const [header, payload] = victim.token.split('.');

  return {
    expired: await sign(claims({ iat: 1_700_000_000, exp: 1_700_000_600 })),
    'not valid before an hour from now': await sign(claims({ nbf: Math.floor(Date.now() / 1000) + 3600 })),
    'signed with another secret': await sign(claims(), new TextEncoder().encode('another-secret-0123456789abcdef0123456789')),
    'alg none': unsigned(claims(), { alg: 'none', typ: 'JWT' }),
    'alg HS512 with the right secret': await sign(claims(), key, 'HS512'),
    'wrong issuer': await sign(claims({ iss: 'someone-else' })),
    'wrong audience': await sign(claims({ aud: 'someone-else' })),
    'no jti': await sign(claims({ jti: undefined })),
    'no exp': await sign(claims({ exp: undefined })),
    'user that does not exist': await sign(claims({ sub: '2147483647' })),
    'sub not a number': await sign(claims({ sub: 'admin' })),
    'sub negative': await sign(claims({ sub: '-1' })),
    'sub fractional': await sign(claims({ sub: '1.5' })),
    'payload swapped under a valid signature': `${header}.${base64url.encode(JSON.stringify(claims({ sub: '1' })))}.${victim.token.split('.')[2]}`,
    'signature stripped': `${header}.${payload}.`,
    garbage: 'not-a-jwt',
    'three dots': 'a.b.c',
    huge: 'A'.repeat(8000),
  } as Record<string, string>;
}

/** Authorization headers that are not `Bearer <token>` at all. */
export const MALFORMED_AUTHORIZATION = [
  'Bearer',
  'Bearer ',
  'Basic dXNlcjpwYXNzd29yZA==',
  'Token abc',
  'Bearer a b',
  'Bearer "quoted"',
  'Bearer <script>',
  'Bearer %00',
  'Bearer\tabc',
  'Digest username="admin"',
];
