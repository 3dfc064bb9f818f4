import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { users } from '../../db/schema';
import type { AppEnv } from '../../env';
import { notFound } from '../../http/errors';
import { currentUser } from '../../http/auth';
import { validate } from '../../http/validate';
import { z } from 'zod';
import { describeRoute } from '../../http/route-marks';
import { loginBody, refreshBody, registerBody, sessionSchema, userSchema } from './schemas';
import { login, refreshSession, registerUser, revokeRefreshToken, userJson, type SessionSettings } from './sessions';
import { positiveInt, tokenSettings } from './tokens';

function sessionSettings(env: Env): SessionSettings {
  return {
    tokens: tokenSettings(env),
    refreshTtlSeconds: positiveInt(env.REFRESH_TOKEN_TTL_SECONDS, 30 * 24 * 3600),
    throttle: {
      maxFailures: positiveInt(env.LOGIN_MAX_FAILURES, 5),
      windowSeconds: positiveInt(env.LOGIN_WINDOW_SECONDS, 900),
    },
  };
}

export const authRoutes = new Hono<AppEnv>()
  .post(
    '/register',
    describeRoute({
      summary: 'Create a member account',
      tags: ['Accounts'],
      responses: {
        201: { description: 'Registered', schema: z.object({ msg: z.literal('Registration successful'), user: userSchema }) },
        409: { description: 'email_taken: an account with this email exists' },
      },
    }),
    validate('json', registerBody),
    async (c) => {
      const user = await registerUser(c.var.db, c.req.valid('json'));
      return c.json({ msg: 'Registration successful' as const, user: userJson(user) }, 201);
    },
  )
  .post(
    '/login',
    describeRoute({
      summary: 'Log in; returns an access token and a refresh token',
      tags: ['Accounts'],
      responses: {
        200: { description: 'Logged in', schema: sessionSchema },
        401: { description: 'unauthorized: wrong email or password (one message for both)' },
        429: { description: 'rate_limited: too many failed logins for this email; see Retry-After' },
      },
    }),
    validate('json', loginBody),
    async (c) => c.json(await login(c.var.db, sessionSettings(c.env), c.req.valid('json'))),
  )
  .post(
    '/token/refresh',
    describeRoute({
      summary: 'Rotate a refresh token for a new session',
      tags: ['Accounts'],
      responses: {
        200: { description: 'New session; the presented refresh token stops working', schema: sessionSchema },
        401: { description: 'unauthorized: unknown, expired, revoked or already used refresh token' },
      },
    }),
    validate('json', refreshBody),
    async (c) => c.json(await refreshSession(c.var.db, sessionSettings(c.env), c.req.valid('json').refresh_token)),
  )
  .post(
    '/logout',
    describeRoute({
      summary: 'Revoke a refresh token',
      tags: ['Accounts'],
      responses: { 204: { description: 'Revoked (also when it was already revoked)' } },
    }),
    validate('json', refreshBody),
    async (c) => {
      await revokeRefreshToken(c.var.db, currentUser(c).id, c.req.valid('json').refresh_token);
      return c.body(null, 204);
    },
  )
  .get(
    '/me',
    describeRoute({
      summary: "The caller's account",
      tags: ['Accounts'],
      responses: { 200: { description: 'The user', schema: z.object({ user: userSchema }) } },
    }),
    async (c) => {
      const user = await c.var.db.query.users.findFirst({ where: eq(users.id, currentUser(c).id) });
      if (!user) throw notFound('User not found');
      return c.json({ user: userJson(user) });
    },
  );
