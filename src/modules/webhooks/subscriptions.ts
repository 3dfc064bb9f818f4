import { and, desc, eq, isNull } from 'drizzle-orm';
import { webhookDeliveries, webhookSubscriptions, type WebhookSubscriptionRow } from '../../db/schema';
import type { CurrentUser, Database } from '../../env';
import { ApiError } from '../../http/errors';
import { deliveryJson } from './deliveries';
import { enqueueDeliveries } from './enqueue';
import { newWebhookSecret } from './signature';
import type { NewWebhook } from './schemas';

/** At most this many subscriptions are listed (and live at once: creating more is refused). */
export const MAX_WEBHOOKS = 100;
export const DELIVERIES_SHOWN = 100;

export function webhookJson(row: WebhookSubscriptionRow) {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    active: row.active,
    deactivated_reason: row.deactivatedReason,
    created_at: row.createdAt.toISOString(),
  };
}

const live = (id: number) => and(eq(webhookSubscriptions.id, id), isNull(webhookSubscriptions.deletedAt));

async function findLive(db: Database, id: number) {
  const row = await db.query.webhookSubscriptions.findFirst({ where: live(id) });
  if (!row) throw new ApiError('not_found', 'Webhook not found');
  return row;
}

/** POST /webhooks: the secret is in this answer only. The URL has passed the URL rules already. */
export async function createWebhook(db: Database, actor: CurrentUser, input: NewWebhook & { url: string }) {
  const count = await db.$count(webhookSubscriptions, isNull(webhookSubscriptions.deletedAt));
  if (count >= MAX_WEBHOOKS) throw new ApiError('webhook_limit_reached');
  const [row] = await db
    .insert(webhookSubscriptions)
    .values({
      url: input.url,
      events: [...new Set(input.events)],
      description: input.description ?? null,
      secret: newWebhookSecret(),
      createdBy: actor.id,
    })
    .returning();
  return { ...webhookJson(row!), secret: row!.secret };
}

export async function listWebhooks(db: Database) {
  const rows = await db
    .select()
    .from(webhookSubscriptions)
    .where(isNull(webhookSubscriptions.deletedAt))
    .orderBy(webhookSubscriptions.id)
    .limit(MAX_WEBHOOKS);
  return rows.map(webhookJson);
}

/** Soft delete: no more deliveries (queued ones die unsent); the row stays for the delivery log's sake. */
export async function deleteWebhook(db: Database, id: number) {
  const now = new Date();
  const [row] = await db
    .update(webhookSubscriptions)
    .set({ active: false, deletedAt: now, deactivatedAt: now, deactivatedReason: 'deleted' })
    .where(live(id))
    .returning();
  if (!row) throw new ApiError('not_found', 'Webhook not found');
  return webhookJson(row);
}

/** POST /webhooks/:id/test: a `ping` delivery through the same queue, signature and retries as real messages. */
export async function pingWebhook(db: Database, queue: Queue, id: number) {
  const subscription = await findLive(db, id);
  if (!subscription.active) throw new ApiError('webhook_inactive');
  const now = new Date();
  const [row] = await db
    .insert(webhookDeliveries)
    .values({ subscriptionId: id, messageId: crypto.randomUUID(), type: 'ping', createdAt: now })
    .returning();
  await enqueueDeliveries(db.$client, queue, [row!.id], now);
  return deliveryJson(row!);
}

export async function listDeliveries(db: Database, id: number) {
  await findLive(db, id);
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.subscriptionId, id))
    .orderBy(desc(webhookDeliveries.id))
    .limit(DELIVERIES_SHOWN);
  return rows.map(deliveryJson);
}
