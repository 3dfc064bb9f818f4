import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { serviceUnavailable } from '../errors';

export const healthRoutes = new Hono<AppEnv>().get('/health', async (c) => {
  try {
    await c.var.db.run(sql`SELECT 1`);
  } catch {
    throw serviceUnavailable('The database is not reachable');
  }
  return c.json({ status: 'ok' as const });
});
