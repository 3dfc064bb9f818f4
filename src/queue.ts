import { consumeCrmDeadLetters, consumeCrmNotifications } from './modules/crm/consumer';
import type { CrmNotification } from './modules/crm/messages';
import { handleGeocodeJobs } from './modules/geo/consumer';
import type { GeocodeJob } from './modules/geo/messages';

/** Queue names, as in wrangler.toml. */
export const CRM_QUEUE_NAME = 'ahoum-crm-notifications';
export const CRM_DEAD_LETTER_QUEUE_NAME = 'ahoum-crm-notifications-dlq';
export const JOBS_QUEUE_NAME = 'ahoum-jobs';

/** The Worker's one queue handler: each queue's batches go to the consumer for that queue. */
export async function handleQueue(batch: MessageBatch, env: Env, _ctx: ExecutionContext): Promise<void> {
  switch (batch.queue) {
    case JOBS_QUEUE_NAME:
      return handleGeocodeJobs(batch as MessageBatch<GeocodeJob>, env);
    case CRM_QUEUE_NAME:
      return consumeCrmNotifications(batch as MessageBatch<CrmNotification>, env);
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
