/** One message of the webhooks queue: one delivery row (a message for one subscription), loaded fresh by the consumer. */
export interface WebhookJob {
  kind: 'webhook';
  deliveryId: number;
}

/** The body of POST /webhooks/:id/test: no outbox message behind it. */
export interface WebhookPing {
  id: string;
  type: 'ping';
  occurred_at: string;
  webhook: { id: number };
}
