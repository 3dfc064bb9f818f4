import { and, desc, eq, lte, ne, or, sql } from 'drizzle-orm';
import { outbox, type OutboxRow } from '../../db/schema';
import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import type { CrmNotification } from './messages';
import { publishOutbox } from './outbox';

/**
 * The life of an outbox row after its batch: `pending` until the queue accepts it, `queued` until the consumer
 * delivers it (`delivered`), or `dead` once the queue gave up (dead-letter queue). Rows are never deleted.
 */

/** A pending row older than this missed its send after the batch; the cron sends it. */
export const RESEND_PENDING_AFTER_MS = 2 * 60_000;
/**
 * A queued row not delivered or dead after this was lost by the queue; the cron sends it again. Longer than the
 * consumer's whole retry schedule (see crmRetryDelaySeconds), so rows still being retried are left alone.
 */
export const RESEND_QUEUED_AFTER_MS = 30 * 60_000;
const RESEND_BATCH = 100;

/** The consumer's delivered rows, one statement for a whole queue batch (their ids as one JSON parameter). */
export async function markDelivered(db: Database, ids: string[], now: Date) {
  if (ids.length === 0) return;
  await db.$client
    .prepare(
      `UPDATE outbox SET status = 'delivered', delivered_at = ?1, last_error = NULL, attempts = attempts + 1
       WHERE id IN (SELECT value FROM json_each(?2))`,
    )
    .bind(now.getTime(), JSON.stringify(ids))
    .run();
}

export async function recordDeliveryFailure(db: Database, id: string, error: string) {
  await db
    .update(outbox)
    .set({ lastError: error.slice(0, 500), attempts: sql`${outbox.attempts} + 1` })
    .where(and(eq(outbox.id, id), ne(outbox.status, 'delivered')));
}

/** Dead-letter consumer: kept for an admin to replay, unless a duplicate delivery already got through. */
export async function markDead(db: Database, id: string, now: Date) {
  await db
    .update(outbox)
    .set({ status: 'dead', deadAt: now })
    .where(and(eq(outbox.id, id), ne(outbox.status, 'delivered')));
}

/** Cron: re-sends rows whose send was lost (still pending) or that the queue lost (queued for too long). */
export async function resendUndelivered(db: Database, queue: Queue, now: Date) {
  const rows = await db
    .select({ payload: outbox.payload })
    .from(outbox)
    .where(
      or(
        and(eq(outbox.status, 'pending'), lte(outbox.createdAt, new Date(now.getTime() - RESEND_PENDING_AFTER_MS))),
        and(eq(outbox.status, 'queued'), lte(outbox.queuedAt, new Date(now.getTime() - RESEND_QUEUED_AFTER_MS))),
      ),
    )
    .orderBy(outbox.createdAt)
    .limit(RESEND_BATCH);
  await publishOutbox(
    db.$client,
    queue,
    rows.map((row) => row.payload as CrmNotification),
    now,
  );
  return rows.length;
}

export function notificationJson(row: OutboxRow) {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    last_error: row.lastError,
    created_at: row.createdAt.toISOString(),
    queued_at: row.queuedAt?.toISOString() ?? null,
    delivered_at: row.deliveredAt?.toISOString() ?? null,
    dead_at: row.deadAt?.toISOString() ?? null,
    payload: row.payload as CrmNotification,
  };
}

export async function listNotifications(db: Database, filter: { status?: OutboxRow['status']; limit: number }) {
  const rows = await db
    .select()
    .from(outbox)
    .where(filter.status ? eq(outbox.status, filter.status) : undefined)
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(filter.limit);
  return rows.map(notificationJson);
}

/** Admin replay: back to `pending` and sent to the queue again, with the same id (the CRM drops duplicates). */
export async function replayNotification(db: Database, queue: Queue, id: string) {
  const [row] = await db
    .update(outbox)
    .set({ status: 'pending', deadAt: null, deliveredAt: null })
    .where(eq(outbox.id, id))
    .returning();
  if (!row) throw new ApiError('not_found', 'Notification not found');
  await publishOutbox(db.$client, queue, [row.payload as CrmNotification]);
  const [after] = await db.select().from(outbox).where(eq(outbox.id, id));
  return notificationJson(after ?? row);
}
