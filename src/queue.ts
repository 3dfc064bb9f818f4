import { consumeCrmDeadLetters, consumeCrmNotifications } from './modules/crm/consumer';
import { handleJobs } from './modules/geo/consumer';
import { CRM_DEAD_LETTER_QUEUE_NAME, CRM_QUEUE_NAME, JOBS_QUEUE_NAME, type CrmNotification, type Job } from './modules/crm/messages';

/** The Worker's one queue handler: each queue's batches go to the consumer for that queue. */
export async function handleQueue(batch: MessageBatch, env: Env, _ctx: ExecutionContext): Promise<void> {
  switch (batch.queue) {
    case JOBS_QUEUE_NAME:
      return handleJobs(batch as MessageBatch<Job>, env);
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
