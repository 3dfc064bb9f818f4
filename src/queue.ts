import { consumeCrmDeadLetters, consumeCrmNotifications } from './modules/crm/consumer';
import type { CrmNotification } from './modules/crm/messages';
import { handleEmailJobs } from './modules/email/delivery';
import type { EmailJob } from './modules/email/messages';
import { handleGeocodeJobs } from './modules/geo/consumer';
import { consumeWebhookDeliveries } from './modules/webhooks/consumer';
import type { WebhookJob } from './modules/webhooks/messages';
import type { GeocodeJob } from './modules/geo/messages';

/** Every message the jobs queue carries. */
export type Job = GeocodeJob | EmailJob;

/** The jobs queue's messages, each to its consumer by kind (each message is acked or retried on its own). */
async function handleJobs(batch: MessageBatch<Job>, env: Env): Promise<void> {
  const emails = batch.messages.filter((m): m is Message<EmailJob> => m.body.kind === 'email');
  const geocodes = batch.messages.filter((m): m is Message<GeocodeJob> => m.body.kind !== 'email');
  await Promise.all([handleEmailJobs(emails, env), handleGeocodeJobs(geocodes, env)]);
}

/** Queue names, as in wrangler.toml. */
export const CRM_QUEUE_NAME = 'ahoum-crm-notifications';
export const CRM_DEAD_LETTER_QUEUE_NAME = 'ahoum-crm-notifications-dlq';
export const JOBS_QUEUE_NAME = 'ahoum-jobs';
export const WEBHOOK_QUEUE_NAME = 'ahoum-webhooks';

/** The Worker's one queue handler: each queue's batches go to the consumer for that queue. */
export async function handleQueue(batch: MessageBatch, env: Env, _ctx: ExecutionContext): Promise<void> {
  switch (batch.queue) {
    case JOBS_QUEUE_NAME:
      return handleJobs(batch as MessageBatch<Job>, env);
    case CRM_QUEUE_NAME:
      return consumeCrmNotifications(batch as MessageBatch<CrmNotification>, env);
    case WEBHOOK_QUEUE_NAME:
      return consumeWebhookDeliveries(batch as MessageBatch<WebhookJob>, env);
    case CRM_DEAD_LETTER_QUEUE_NAME:
      return consumeCrmDeadLetters(batch as MessageBatch<CrmNotification>, env);
    default:
      // A queue bound in wrangler.toml without a consumer here: keep its messages (retried) rather than drop them.
      console.warn(
        JSON.stringify({ level: 'warn', msg: 'no consumer for queue', queue: batch.queue, size: batch.messages.length }),
      );
      batch.retryAll();
  }
}
