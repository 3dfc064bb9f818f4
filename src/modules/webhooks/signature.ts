import { hmacSha256Hex } from '../../lib/crypto';

/**
 * `Ahoum-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, Stripe's scheme: the time inside the
 * signed text lets a receiver refuse replays of an old delivery.
 */
export async function webhookSignature(secret: string, body: string, now: Date): Promise<string> {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${await hmacSha256Hex(secret, `${t}.${body}`)}`;
}

/** A new subscription secret: 32 random bytes as hex, with a prefix that makes it recognisable in a leak scan. */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
