import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { users } from '../../db/schema';
import { currentUser } from '../../http/auth';
import { ApiError } from '../../http/errors';
import { createRouter } from '../../http/factory';
import { describeRoute } from '../../http/route-marks';
import { validate } from '../../http/validate';
import { userJson } from './read-model';
import { registerUser } from './register';
import { loginBody, refreshBody, registerBody, sessionSchema, userSchema } from './schemas';
import { login, refreshSession, revokeRefreshToken, sessionSettings } from './sessions';

export const accountRoutes = createRouter()
  .post(
    '/register',
    describeRoute({
      summary: 'Create a member account',
      tags: ['Accounts'],
      public: true,
      responses: {
        201: { description: 'Registered', schema: z.object({ msg: z.literal('Registration successful'), user: userSchema }) },
      },
      errors: ['email_taken'],
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
      description: 'A wrong email and a wrong password get the same 401. Failed logins are limited per email (429).',
      tags: ['Accounts'],
      public: true,
      responses: { 200: { description: 'Logged in', schema: sessionSchema } },
      errors: ['unauthorized', 'rate_limited'],
    }),
    validate('json', loginBody),
    async (c) => c.json(await login(c.var.db, sessionSettings(c.env), c.req.valid('json'))),
  )
  .post(
    '/token/refresh',
    describeRoute({
      summary: 'Rotate a refresh token for a new session',
      description: 'An unknown, expired, revoked or already used refresh token is 401.',
      tags: ['Accounts'],
      public: true,
      responses: { 200: { description: 'New session; the presented refresh token stops working', schema: sessionSchema } },
      errors: ['unauthorized'],
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
      errors: ['not_found'],
    }),
    async (c) => {
      const user = await c.var.db.query.users.findFirst({ where: eq(users.id, currentUser(c).id) });
      if (!user) throw new ApiError('not_found', 'User not found');
      return c.json({ user: userJson(user) });
    },
  );
