import { createDb } from '../../db/client';
import { fanOutToWebhooks } from '../webhooks/fan-out';
import { markDead, markDelivered, recordDeliveryFailure } from './delivery';
import { crmWebhookSettings, postToCrm } from './webhook';
import type { CrmNotification } from './messages';

const BASE_DELAY_SECONDS = 10;
const MAX_DELAY_SECONDS = 15 * 60;

/** Exponential backoff: 10 s after the first failed attempt, doubling each time, at most 15 minutes. */
export function crmRetryDelaySeconds(attempts: number): number {
  return Math.min(BASE_DELAY_SECONDS * 2 ** Math.max(0, attempts - 1), MAX_DELAY_SECONDS);
}

/**
 * The CRM feed: every message is logged as one JSON line and, when a webhook is configured, POSTed to the CRM.
 * Delivered messages are acked and their outbox row marked delivered; failures are retried with backoff, and
 * after the queue's max_retries they move to the dead-letter queue.
 */
export async function consumeCrmNotifications(batch: MessageBatch<CrmNotification>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  const webhook = crmWebhookSettings(env);
  const delivered: string[] = [];
  const acks: Message<CrmNotification>[] = [];
  await Promise.all(
    batch.messages.map(async (message) => {
      const notification = message.body;
      console.log(JSON.stringify({ level: 'info', msg: 'crm notification', attempt: message.attempts, notification }));
      // The third-party webhooks' fan-out and the CRM's POST are independent: neither waits for the other's receiver.
      const [fanOut, crm] = await Promise.allSettled([
        fanOutToWebhooks(env.DB, env.WEBHOOK_QUEUE, notification, new Date()),
        webhook ? postToCrm(webhook, notification) : Promise.resolve(),
      ]);
      if (crm.status === 'rejected') {
        await recordDeliveryFailure(db, notification.id, String(crm.reason)).catch(() => undefined);
      } else {
        delivered.push(notification.id);
      }
      if (fanOut.status === 'rejected') {
        // Retried for the fan-out's sake (idempotent); the CRM may see the message twice and drops it by id.
        console.error(
          JSON.stringify({ level: 'error', msg: 'webhook fan-out failed', id: notification.id, error: String(fanOut.reason) }),
        );
      }
      if (crm.status === 'rejected' || fanOut.status === 'rejected') {
        message.retry({ delaySeconds: crmRetryDelaySeconds(message.attempts) });
        return;
      }
      acks.push(message);
    }),
  );
  // Every delivered row of the batch marked in one statement. A failed bookkeeping write must not cause a second
  // delivery, so it is only logged (the cron's re-send of a row left queued is dropped by the CRM by id).
  await markDelivered(db, delivered, new Date()).catch((error) => logBookkeepingFailure(delivered, error));
  for (const message of acks) message.ack();
}

/** The dead-letter queue: messages the CRM never accepted. Their outbox rows become `dead`, kept for a replay. */
export async function consumeCrmDeadLetters(batch: MessageBatch<CrmNotification>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    const notification = message.body;
    console.error(JSON.stringify({ level: 'error', msg: 'crm notification dead', notification }));
    // Third parties still get it: the fan-out is idempotent, so this only adds deliveries a failing fan-out missed.
    await fanOutToWebhooks(env.DB, env.WEBHOOK_QUEUE, notification, new Date()).catch(() => undefined);
    await markDead(db, notification.id, new Date());
    message.ack();
  }
}

function logBookkeepingFailure(ids: string[], error: unknown) {
  console.error(JSON.stringify({ level: 'error', msg: 'could not mark crm notifications delivered', ids, error: String(error) }));
}
