import { z } from 'zod';
import { OUTBOX_STATUSES } from '../../db/schema';

export const notificationSchema = z
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

export const listNotificationsQuery = z.object({
  status: z.enum(OUTBOX_STATUSES).optional().describe('pending, queued, delivered or dead; all when omitted'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
