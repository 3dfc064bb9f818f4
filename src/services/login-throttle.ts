import { and, count, eq, gt, min } from 'drizzle-orm';
import { loginFailures } from '../db/schema';
import type { Database } from '../env';
import { rateLimited } from '../errors';

export interface ThrottleSettings {
  maxFailures: number;
  windowSeconds: number;
}

/**
 * Failed logins are limited per email: after `maxFailures` failures inside the sliding window, every further
 * attempt (right password or not) is 429 until the oldest failure leaves the window.
 */
export async function assertLoginAllowed(db: Database, email: string, settings: ThrottleSettings, now: Date) {
  const since = new Date(now.getTime() - settings.windowSeconds * 1000);
  const [row] = await db
    .select({ failures: count(), oldest: min(loginFailures.failedAt) })
    .from(loginFailures)
    .where(and(eq(loginFailures.email, email), gt(loginFailures.failedAt, since)));
  if (row && row.failures >= settings.maxFailures && row.oldest) {
    const retryAfterMs = row.oldest.getTime() + settings.windowSeconds * 1000 - now.getTime();
    throw rateLimited(retryAfterMs / 1000);
  }
}

export async function recordLoginFailure(db: Database, email: string, now: Date) {
  await db.insert(loginFailures).values({ email, failedAt: now });
}

export async function clearLoginFailures(db: Database, email: string) {
  await db.delete(loginFailures).where(eq(loginFailures.email, email));
}
