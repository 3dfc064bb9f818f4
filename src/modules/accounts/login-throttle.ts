import { and, eq, gt, min } from 'drizzle-orm';
import { loginFailures } from '../../db/schema';
import type { Database } from '../../env';
import { rateLimited } from '../../http/errors';

export interface ThrottleSettings {
  maxFailures: number;
  windowSeconds: number;
}

/**
 * Failed logins are limited per email: after `maxFailures` failures inside the sliding window, every further
 * attempt (right password or not) is 429 until the oldest failure leaves the window.
 *
 * Each attempt claims its failure row before the password is checked, with one conditional INSERT that counts the
 * window in the same statement: concurrent guesses are serialised by the database, so twenty parallel attempts get
 * `maxFailures` evaluations, not twenty (a count read first and a row written after the slow hash would let them all
 * through). A wrong password keeps the row as its failure record; a right one clears the email's rows.
 */
export async function claimLoginAttempt(db: Database, email: string, settings: ThrottleSettings, now: Date) {
  const since = now.getTime() - settings.windowSeconds * 1000;
  const claimed = await db.$client
    .prepare(
      `INSERT INTO login_failures (email, failed_at)
       SELECT ?1, ?2 WHERE (SELECT count(*) FROM login_failures WHERE email = ?1 AND failed_at > ?3) < ?4
       RETURNING id`,
    )
    .bind(email, now.getTime(), since, settings.maxFailures)
    .first<{ id: number }>();
  if (claimed) return;
  const [row] = await db
    .select({ oldest: min(loginFailures.failedAt) })
    .from(loginFailures)
    .where(and(eq(loginFailures.email, email), gt(loginFailures.failedAt, new Date(since))));
  const oldest = row?.oldest?.getTime() ?? now.getTime();
  throw rateLimited((oldest + settings.windowSeconds * 1000 - now.getTime()) / 1000);
}

export async function clearLoginFailures(db: Database, email: string) {
  await db.delete(loginFailures).where(eq(loginFailures.email, email));
}
