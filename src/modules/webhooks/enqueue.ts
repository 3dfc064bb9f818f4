import type { WebhookJob } from './messages';

const SEND_BATCH_LIMIT = 100; // Queue.sendBatch takes at most 100 messages

/**
 * Sends delivery rows to the webhooks queue, one message each, and stamps `queued_at`. A failed send is logged and
 * leaves `queued_at` empty: the cron sends those rows again (at least once, like the CRM outbox).
 */
export async function enqueueDeliveries(d1: D1Database, queue: Queue, ids: number[], now: Date) {
  for (let start = 0; start < ids.length; start += SEND_BATCH_LIMIT) {
    const chunk = ids.slice(start, start + SEND_BATCH_LIMIT);
    try {
      await queue.sendBatch(
        chunk.map((deliveryId) => ({ body: { kind: 'webhook', deliveryId } satisfies WebhookJob, contentType: 'json' as const })),
      );
      await d1
        .prepare(`UPDATE webhook_deliveries SET queued_at = ? WHERE id IN (${chunk.map(() => '?').join(', ')})`)
        .bind(now.getTime(), ...chunk)
        .run();
    } catch (error) {
      console.warn(
        JSON.stringify({
          level: 'warn',
          msg: 'webhook delivery send failed; the cron will re-send',
          ids: chunk,
          error: String(error),
        }),
      );
    }
  }
}
