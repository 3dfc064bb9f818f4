import { z } from 'zod';
import { currentUser, requireRole } from '../../http/auth';
import { createRouter } from '../../http/factory';
import { idParam } from '../../http/params';
import { describeRoute } from '../../http/route-marks';
import { validate } from '../../http/validate';
import { createdWebhookSchema, deliverySchema, newWebhookBody, webhookSchema } from './schemas';
import { allowHttpWebhooks } from './settings';
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks, pingWebhook } from './subscriptions';
import { assertWebhookUrl } from './url-rules';

const tags = ['Webhooks'];

export const webhookRoutes = createRouter()
  .post(
    '/webhooks',
    describeRoute({
      summary: 'Subscribe a URL to message types (admin); the signing secret is shown only in this answer',
      description:
        'Every outbox message of a subscribed type is POSTed to the URL with Ahoum-Signature ' +
        '(t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">) and Ahoum-Event-Id, at least once, retried ' +
        'with backoff; a 410 Gone answer deactivates the subscription.',
      tags,
      responses: { 201: { description: 'Subscribed', schema: createdWebhookSchema } },
      errors: ['forbidden', 'webhook_limit_reached'],
    }),
    requireRole('admin'),
    validate('json', newWebhookBody),
    async (c) => {
      const body = c.req.valid('json');
      const url = assertWebhookUrl(body.url, allowHttpWebhooks(c.env));
      return c.json({ webhook: await createWebhook(c.get('db'), currentUser(c), { ...body, url }) }, 201);
    },
  )
  .get(
    '/webhooks',
    describeRoute({
      summary: 'The webhook subscriptions, without their secrets (admin)',
      tags,
      responses: { 200: { description: 'The subscriptions', schema: z.object({ webhooks: z.array(webhookSchema) }) } },
      errors: ['forbidden'],
    }),
    requireRole('admin'),
    async (c) => c.json({ webhooks: await listWebhooks(c.get('db')) }),
  )
  .delete(
    '/webhooks/:id',
    describeRoute({
      summary: 'Delete a webhook subscription (admin): nothing more is sent to it',
      tags,
      responses: {
        200: { description: 'Deleted', schema: z.object({ msg: z.literal('Webhook deleted'), webhook: webhookSchema }) },
      },
      errors: ['forbidden', 'not_found'],
    }),
    requireRole('admin'),
    validate('param', idParam),
    async (c) => c.json({ msg: 'Webhook deleted' as const, webhook: await deleteWebhook(c.get('db'), c.req.valid('param').id) }),
  )
  .post(
    '/webhooks/:id/test',
    describeRoute({
      summary: 'Send a signed `ping` to the subscription through the delivery queue (admin); no body',
      tags,
      responses: {
        202: { description: 'Queued', schema: z.object({ msg: z.literal('Ping queued'), delivery: deliverySchema }) },
      },
      errors: ['forbidden', 'not_found', 'webhook_inactive'],
    }),
    requireRole('admin'),
    validate('param', idParam),
    async (c) => {
      const delivery = await pingWebhook(c.get('db'), c.env.WEBHOOK_QUEUE, c.req.valid('param').id);
      return c.json({ msg: 'Ping queued' as const, delivery }, 202);
    },
  )
  .get(
    '/webhooks/:id/deliveries',
    describeRoute({
      summary: 'The last 100 deliveries to a subscription, newest first: status, attempts, answer code (admin)',
      tags,
      responses: { 200: { description: 'The deliveries', schema: z.object({ deliveries: z.array(deliverySchema) }) } },
      errors: ['forbidden', 'not_found'],
    }),
    requireRole('admin'),
    validate('param', idParam),
    async (c) => c.json({ deliveries: await listDeliveries(c.get('db'), c.req.valid('param').id) }),
  );
