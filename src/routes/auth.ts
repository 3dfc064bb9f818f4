import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { users } from '../db/schema';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { currentUser } from '../middleware/auth';
import { validate } from '../middleware/validate';
import { loginBody, refreshBody, registerBody } from '../schemas/auth';
import { login, refreshSession, registerUser, revokeRefreshToken, userJson, type SessionSettings } from '../services/accounts';
import { positiveInt, tokenSettings } from '../services/tokens';

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
  .post('/register', validate('json', registerBody), async (c) => {
    const user = await registerUser(c.var.db, c.req.valid('json'));
    return c.json({ msg: 'Registration successful', user: userJson(user) }, 201);
  })
  .post('/login', validate('json', loginBody), async (c) => {
    return c.json(await login(c.var.db, sessionSettings(c.env), c.req.valid('json')));
  })
  .post('/token/refresh', validate('json', refreshBody), async (c) => {
    return c.json(await refreshSession(c.var.db, sessionSettings(c.env), c.req.valid('json').refresh_token));
  })
  .post('/logout', validate('json', refreshBody), async (c) => {
    await revokeRefreshToken(c.var.db, currentUser(c).id, c.req.valid('json').refresh_token);
    return c.body(null, 204);
  })
  .get('/me', async (c) => {
    const user = await c.var.db.query.users.findFirst({ where: eq(users.id, currentUser(c).id) });
    if (!user) throw notFound('User not found');
    return c.json({ user: userJson(user) });
  });
