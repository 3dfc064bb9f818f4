import { z } from 'zod';
import { WEBHOOK_DELIVERY_STATUSES } from '../../db/schema';
import { CRM_NOTIFICATION_TYPES } from '../crm/messages';

export const newWebhookBody = z
  .object({
    url: z.url().max(2048).describe('https (http only to localhost/127.0.0.1 when ALLOW_HTTP_WEBHOOKS is true)'),
    events: z
      .array(z.enum(CRM_NOTIFICATION_TYPES))
      .min(1)
      .max(CRM_NOTIFICATION_TYPES.length)
      .describe('The message types to receive (the CRM notification types)'),
    description: z.string().max(500).optional(),
  })
  .meta({ id: 'NewWebhook' });
export type NewWebhook = z.infer<typeof newWebhookBody>;

export const webhookSchema = z
  .object({
    id: z.number().int(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    active: z.boolean(),
    deactivated_reason: z.string().nullable().describe('gone (the receiver answered 410) or deleted'),
    created_at: z.string(),
  })
  .meta({ id: 'Webhook' });

export const createdWebhookSchema = z
  .object({
    webhook: webhookSchema.extend({
      secret: z.string().describe('Signs every delivery (Ahoum-Signature); shown only in this answer'),
    }),
  })
  .meta({ id: 'CreatedWebhook' });

export const deliverySchema = z
  .object({
    id: z.number().int(),
    message_id: z.string().describe('Ahoum-Event-Id: the outbox message id (the same on every retry)'),
    type: z.string(),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    attempts: z.number().int(),
    response_status: z.number().int().nullable().describe('The receiver’s HTTP status on the last attempt'),
    last_error: z.string().nullable(),
    created_at: z.string(),
    last_attempt_at: z.string().nullable(),
    delivered_at: z.string().nullable(),
  })
  .meta({ id: 'WebhookDelivery' });
