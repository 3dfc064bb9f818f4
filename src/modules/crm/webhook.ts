import type { CrmNotification } from './messages';
import { hmacSha256Hex } from '../../lib/crypto';

export const CRM_WEBHOOK_TIMEOUT_MS = 5000;

export interface CrmWebhookSettings {
  url: string;
  secret: string;
}

/** Null when CRM_WEBHOOK_URL is empty: notifications are then only logged. */
export function crmWebhookSettings(env: Env): CrmWebhookSettings | null {
  const url = env.CRM_WEBHOOK_URL?.trim();
  return url ? { url, secret: env.CRM_WEBHOOK_SECRET ?? '' } : null;
}

/** `sha256=<hex HMAC-SHA256 of the exact body>`; the CRM recomputes it with the shared secret. */
export async function crmSignature(secret: string, body: string): Promise<string> {
  return `sha256=${await hmacSha256Hex(secret, body)}`;
}

/** POSTs one notification; throws on a network failure, a timeout or any non-2xx answer (the queue retries). */
export async function postToCrm(settings: CrmWebhookSettings, notification: CrmNotification): Promise<void> {
  if (!settings.secret) throw new Error('CRM_WEBHOOK_SECRET is not set; refusing to send unsigned notifications');
  const body = JSON.stringify(notification);
  const response = await fetch(settings.url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Ahoum-Signature': await crmSignature(settings.secret, body),
      'Idempotency-Key': notification.id,
    },
    body,
    signal: AbortSignal.timeout(CRM_WEBHOOK_TIMEOUT_MS),
  });
  // Drain the body so the connection is released whatever the CRM answered.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`CRM answered ${response.status}`);
}
