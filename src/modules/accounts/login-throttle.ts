import { and, eq, gt, min } from 'drizzle-orm';
import { loginFailures } from '../../db/schema';
import type { Database } from '../../env';
import { rateLimited } from '../../http/errors';

export interface ThrottleSettings {
  maxFailures: number;
  windowSeconds: number;
}

/**
 * Failed logins are limited per email and client address together: after `maxFailures` failures inside the sliding
 * window from one address, every further attempt on that email from that address (right password or not) is 429
 * until the oldest failure leaves the window. A stranger guessing elsewhere cannot lock the owner out; one address
 * spraying many emails is stopped by the per-address rate limit on POST /login (http/rate-limit.ts).
 *
 * Each attempt claims its failure row before the password is checked, with one conditional INSERT that counts the
 * window in the same statement: concurrent guesses are serialised by the database, so twenty parallel attempts get
 * `maxFailures` evaluations, not twenty (a count read first and a row written after the slow hash would let them all
 * through). A wrong password keeps the row as its failure record; a right one clears the email's rows.
 */
export interface LoginAttempt {
  email: string;
  /** CF-Connecting-IP, or '' when the request did not come through Cloudflare. */
  clientAddress: string;
}

export async function claimLoginAttempt(db: Database, attempt: LoginAttempt, settings: ThrottleSettings, now: Date) {
  const since = now.getTime() - settings.windowSeconds * 1000;
  const claimed = await db.$client
    .prepare(
      `INSERT INTO login_failures (email, client_address, failed_at)
       SELECT ?1, ?5, ?2
       WHERE (SELECT count(*) FROM login_failures WHERE email = ?1 AND client_address = ?5 AND failed_at > ?3) < ?4
       RETURNING id`,
    )
    .bind(attempt.email, now.getTime(), since, settings.maxFailures, attempt.clientAddress)
    .first<{ id: number }>();
  if (claimed) return;
  const [row] = await db
    .select({ oldest: min(loginFailures.failedAt) })
    .from(loginFailures)
    .where(
      and(
        eq(loginFailures.email, attempt.email),
        eq(loginFailures.clientAddress, attempt.clientAddress),
        gt(loginFailures.failedAt, new Date(since)),
      ),
    );
  const oldest = row?.oldest?.getTime() ?? now.getTime();
  throw rateLimited((oldest + settings.windowSeconds * 1000 - now.getTime()) / 1000);
}

export async function clearLoginFailures(db: Database, attempt: LoginAttempt) {
  await db
    .delete(loginFailures)
    .where(and(eq(loginFailures.email, attempt.email), eq(loginFailures.clientAddress, attempt.clientAddress)));
}

/** Cron: failures that left the window count for nothing any more. */
export async function purgeLoginFailures(db: Database, settings: ThrottleSettings, now: Date) {
  const result = await db.$client
    .prepare(`DELETE FROM login_failures WHERE failed_at <= ?`)
    .bind(now.getTime() - settings.windowSeconds * 1000)
    .run();
  return result.meta.changes;
}
