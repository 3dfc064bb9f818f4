import type { CrmNotification } from '../crm/messages';
import { enqueueDeliveries } from './enqueue';

/**
 * The outbox's fan-out to third parties, run by the CRM consumer for each message it receives: one delivery row per
 * active subscription of the message's type, and one queue message per row, so each subscriber is retried on its own
 * and a slow one delays neither the CRM nor another subscriber. The unique (subscription, message) pair makes it
 * idempotent: a message consumed again (a CRM retry, the cron's re-send, an admin replay) adds no second delivery.
 */
export async function fanOutToWebhooks(d1: D1Database, queue: Queue, notification: CrmNotification, now: Date) {
  const { results } = await d1
    .prepare(
      `INSERT INTO webhook_deliveries (subscription_id, message_id, type, status, created_at)
       SELECT s.id, ?1, ?2, 'pending', ?3 FROM webhook_subscriptions s
       WHERE s.active = 1 AND EXISTS (SELECT 1 FROM json_each(s.events) WHERE json_each.value = ?2)
       ON CONFLICT (subscription_id, message_id) DO NOTHING
       RETURNING id`,
    )
    .bind(notification.id, notification.type, now.getTime())
    .all<{ id: number }>();
  await enqueueDeliveries(
    d1,
    queue,
    results.map((row) => row.id),
    now,
  );
  return results.length;
}
