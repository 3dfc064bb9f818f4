import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { describeRoute } from '../../http/route-marks';
import { serviceUnavailable } from '../../http/errors';

export const healthRoutes = new Hono<AppEnv>().get(
  '/health',
  describeRoute({
    summary: 'Liveness, including a D1 round trip',
    tags: ['Operations'],
    responses: {
      200: { description: 'Healthy', schema: z.object({ status: z.literal('ok') }) },
      503: { description: 'service_unavailable: D1 is not reachable' },
    },
  }),
  async (c) => {
    try {
      await c.var.db.run(sql`SELECT 1`);
    } catch {
      throw serviceUnavailable('The database is not reachable');
    }
    return c.json({ status: 'ok' as const });
  },
);
