import { Hono } from 'hono';
import { z } from 'zod';
import { OUTBOX_STATUSES } from '../../db/schema';
import type { AppEnv } from '../../env';
import { requireRole } from '../../http/auth';
import { validate } from '../../http/validate';
import { describeRoute } from '../../http/route-marks';
import { listNotifications, replayNotification } from './delivery';

const notificationSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    status: z.enum(OUTBOX_STATUSES),
    attempts: z.number().int(),
    last_error: z.string().nullable(),
    created_at: z.string(),
    queued_at: z.string().nullable(),
    delivered_at: z.string().nullable(),
    dead_at: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()).describe('The message body exactly as the CRM receives it'),
  })
  .meta({ id: 'CrmNotificationRecord' });

const listQuery = z.object({
  status: z.enum(OUTBOX_STATUSES).optional().describe('pending, queued, delivered or dead; all when omitted'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const adminNotificationRoutes = new Hono<AppEnv>()
  .get(
    '/admin/notifications',
    describeRoute({
      summary: 'CRM notifications from the outbox, newest first (admin)',
      tags: ['CRM notifications'],
      responses: { 200: { description: 'The notifications', schema: z.object({ notifications: z.array(notificationSchema) }) } },
    }),
    requireRole('admin'),
    validate('query', listQuery),
    async (c) => c.json({ notifications: await listNotifications(c.var.db, c.req.valid('query')) }),
  )
  .post(
    '/admin/notifications/:id/replay',
    describeRoute({
      summary: 'Send one notification to the CRM queue again, with the same id (admin); no body',
      tags: ['CRM notifications'],
      responses: {
        200: {
          description: 'Queued again',
          schema: z.object({ msg: z.literal('Notification queued'), notification: notificationSchema }),
        },
        404: { description: 'not_found' },
      },
    }),
    requireRole('admin'),
    validate('param', z.object({ id: z.uuid() })),
    async (c) => {
      const notification = await replayNotification(c.var.db, c.env.CRM_QUEUE, c.req.valid('param').id);
      return c.json({ msg: 'Notification queued' as const, notification });
    },
  );
