import type { WebhookDeliveryRow } from '../../db/schema';
import { enqueueDeliveries } from './enqueue';

/** A delivery the queue never got, after this long, is sent again by the cron. */
const RESEND_UNQUEUED_AFTER_MS = 2 * 60_000;
/** A delivery not attempted for this long was lost by the queue (longer than the whole backoff schedule). */
const RESEND_STALLED_AFTER_MS = 30 * 60_000;
const RESEND_BATCH = 100;

export function deliveryJson(row: WebhookDeliveryRow) {
  return {
    id: row.id,
    message_id: row.messageId,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    response_status: row.responseStatus,
    last_error: row.lastError,
    created_at: row.createdAt.toISOString(),
    last_attempt_at: row.lastAttemptAt?.toISOString() ?? null,
    delivered_at: row.deliveredAt?.toISOString() ?? null,
  };
}

/** Cron: deliveries whose send was lost, or that the queue lost, go to the queue again (the consumer skips finished ones). */
export async function resendStalledDeliveries(d1: D1Database, queue: Queue, now: Date) {
  const { results } = await d1
    .prepare(
      `SELECT id FROM webhook_deliveries
       WHERE status IN ('pending', 'failed')
         AND ((queued_at IS NULL AND created_at <= ?1) OR coalesce(last_attempt_at, queued_at) <= ?2)
       ORDER BY created_at LIMIT ?3`,
    )
    .bind(now.getTime() - RESEND_UNQUEUED_AFTER_MS, now.getTime() - RESEND_STALLED_AFTER_MS, RESEND_BATCH)
    .all<{ id: number }>();
  await enqueueDeliveries(
    d1,
    queue,
    results.map((row) => row.id),
    now,
  );
  return results.length;
}
