import { z } from 'zod';
import { requireRole } from '../../http/auth';
import { createRouter } from '../../http/factory';
import { validate } from '../../http/validate';
import { describeRoute } from '../../http/route-marks';
import { listNotifications, replayNotification } from './delivery';
import { listNotificationsQuery, notificationSchema } from './schemas';

export const crmRoutes = createRouter()
  .get(
    '/admin/notifications',
    describeRoute({
      summary: 'CRM notifications from the outbox, newest first (admin)',
      tags: ['CRM notifications'],
      responses: { 200: { description: 'The notifications', schema: z.object({ notifications: z.array(notificationSchema) }) } },
      errors: ['forbidden'],
    }),
    requireRole('admin'),
    validate('query', listNotificationsQuery),
    async (c) => c.json({ notifications: await listNotifications(c.get('db'), c.req.valid('query')) }),
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
      },
      errors: ['forbidden', 'not_found'],
    }),
    requireRole('admin'),
    validate('param', z.object({ id: z.uuid() })),
    async (c) => {
      const notification = await replayNotification(c.get('db'), c.env.CRM_QUEUE, c.req.valid('param').id);
      return c.json({ msg: 'Notification queued' as const, notification });
    },
  );
