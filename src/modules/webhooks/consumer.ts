import { crmRetryDelaySeconds } from '../crm/consumer';
import type { WebhookJob, WebhookPing } from './messages';
import { webhookSignature } from './signature';

export const WEBHOOK_TIMEOUT_MS = 5000;
/** Attempts before a delivery is `dead` (10 s, 20 s, 40 s, 80 s, 160 s apart: the CRM's backoff). */
export const WEBHOOK_MAX_ATTEMPTS = 6;

interface DeliveryToSend {
  id: number;
  message_id: string;
  type: string;
  status: string;
  attempts: number;
  created_at: number;
  subscription_id: number;
  url: string;
  secret: string;
  active: number;
  payload: string | null;
}

const LOAD_SQL = `SELECT d.id, d.message_id, d.type, d.status, d.attempts, d.created_at, d.subscription_id,
    s.url, s.secret, s.active, o.payload
  FROM webhook_deliveries d
  JOIN webhook_subscriptions s ON s.id = d.subscription_id
  LEFT JOIN outbox o ON o.id = d.message_id
  WHERE d.id = ?`;

/** The exact JSON the CRM gets for an outbox message (its payload, re-serialised as the CRM consumer does), or a ping. */
function bodyOf(delivery: DeliveryToSend): string | null {
  if (delivery.type === 'ping') {
    const ping: WebhookPing = {
      id: delivery.message_id,
      type: 'ping',
      occurred_at: new Date(delivery.created_at).toISOString(),
      webhook: { id: delivery.subscription_id },
    };
    return JSON.stringify(ping);
  }
  return delivery.payload === null ? null : JSON.stringify(JSON.parse(delivery.payload));
}

type Outcome = { ok: boolean; status: number | null; error: string | null };

async function post(delivery: DeliveryToSend, body: string, timeoutMs: number): Promise<Outcome> {
  try {
    const response = await fetch(delivery.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Ahoum-Webhooks/1',
        'Ahoum-Signature': await webhookSignature(delivery.secret, body, new Date()),
        'Ahoum-Event-Id': delivery.message_id,
      },
      body,
      // A redirect is not followed: the subscription names where its data may go.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    const ok = response.status >= 200 && response.status < 300;
    return { ok, status: response.status, error: ok ? null : `answered ${response.status}` };
  } catch (error) {
    return { ok: false, status: null, error: String(error).slice(0, 500) };
  }
}

function settle(d1: D1Database, id: number, status: string, outcome: Outcome, now: Date) {
  return d1
    .prepare(
      `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, response_status = ?, last_error = ?,
         last_attempt_at = ?, delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END
       WHERE id = ? AND status NOT IN ('delivered', 'dead')`,
    )
    .bind(status, outcome.status, outcome.error, now.getTime(), status, now.getTime(), id);
}

/** A delivery that can never be made (its subscription is gone or inactive, its message missing): dead, not retried. */
function abandon(d1: D1Database, id: number, reason: string) {
  return d1
    .prepare(`UPDATE webhook_deliveries SET status = 'dead', last_error = ? WHERE id = ? AND status NOT IN ('delivered', 'dead')`)
    .bind(reason, id)
    .run();
}

async function deliver(d1: D1Database, message: Message<WebhookJob>, timeoutMs: number) {
  const delivery = await d1.prepare(LOAD_SQL).bind(message.body.deliveryId).first<DeliveryToSend>();
  if (!delivery || delivery.status === 'delivered' || delivery.status === 'dead') return message.ack();
  const body = bodyOf(delivery);
  if (!delivery.active || body === null) {
    await abandon(d1, delivery.id, delivery.active ? 'message not found' : 'subscription inactive');
    return message.ack();
  }
  const outcome = await post(delivery, body, timeoutMs);
  const now = new Date();
  if (outcome.ok) {
    await settle(d1, delivery.id, 'delivered', outcome, now).run();
    return message.ack();
  }
  if (outcome.status === 410) {
    // 410 Gone: the receiver asks us to stop. The subscription is deactivated; its queued deliveries die unsent.
    await d1.batch([
      settle(d1, delivery.id, 'dead', outcome, now),
      d1
        .prepare(
          `UPDATE webhook_subscriptions SET active = 0, deactivated_reason = 'gone', deactivated_at = ? WHERE id = ? AND active = 1`,
        )
        .bind(now.getTime(), delivery.subscription_id),
    ]);
    return message.ack();
  }
  const attempts = delivery.attempts + 1;
  if (attempts >= WEBHOOK_MAX_ATTEMPTS) {
    console.error(JSON.stringify({ level: 'error', msg: 'webhook delivery dead', delivery_id: delivery.id, ...outcome }));
    await settle(d1, delivery.id, 'dead', outcome, now).run();
    return message.ack();
  }
  await settle(d1, delivery.id, 'failed', outcome, now).run();
  message.retry({ delaySeconds: crmRetryDelaySeconds(attempts) });
}

/**
 * The webhooks queue: each message is one delivery to one subscriber, all of a batch in parallel, each acked or
 * retried on its own, so a subscriber that fails or hangs (until the timeout) holds up nobody else's delivery.
 * A thrown bookkeeping error leaves the message to the queue's own retries.
 */
export async function consumeWebhookDeliveries(batch: MessageBatch<WebhookJob>, env: Env, timeoutMs = WEBHOOK_TIMEOUT_MS) {
  await Promise.all(
    batch.messages.map((message) =>
      deliver(env.DB, message, timeoutMs).catch((error) => {
        console.error(
          JSON.stringify({ level: 'error', msg: 'webhook delivery failed', id: message.body.deliveryId, error: String(error) }),
        );
        message.retry({ delaySeconds: crmRetryDelaySeconds(message.attempts) });
      }),
    ),
  );
}
