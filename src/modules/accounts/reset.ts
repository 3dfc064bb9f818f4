import { Batch } from '../../db/batch';
import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import { toBase64Url } from '../../lib/base64';
import { sha256Hex } from '../../lib/crypto';
import { enqueueEmail } from '../email/delivery';
import { setPassword } from './credentials';
import { hashPassword } from './passwords';
import { normaliseEmail } from './read-model';

export const RESET_TOKEN_TTL_MS = 30 * 60_000;
/** Reset emails per account and hour; more requests are answered the same (202) and send nothing. */
export const RESETS_PER_HOUR = 3;
const HOUR_MS = 3_600_000;

export interface ResetSettings {
  /** The client page that asks for the new password; the email links to it with `?token=`. */
  pageUrl: string;
}

export const resetSettings = (env: Env): ResetSettings => ({ pageUrl: env.PASSWORD_RESET_URL });

function resetLink(settings: ResetSettings, token: string) {
  const url = new URL(settings.pageUrl);
  url.searchParams.set('token', token);
  return url.toString();
}

/**
 * POST /password/forgot. For a live account, a single-use token (only its SHA-256 stored) valid 30 minutes, emailed
 * through the jobs queue. The token row is written by one conditional INSERT that counts the account's last hour, so
 * concurrent requests cannot get past the hourly cap. The caller answers 202 the same way whatever happened here.
 */
export async function requestPasswordReset(db: Database, jobs: Queue, settings: ResetSettings, email: string, now: Date) {
  const token = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const created = await db.$client
    .prepare(
      `INSERT INTO password_reset_tokens (user_id, token_hash, expires_at, created_at)
       SELECT u.id, ?2, ?3, ?4 FROM users u
       WHERE u.email = ?1 AND u.deleted_at IS NULL
         AND (SELECT count(*) FROM password_reset_tokens t WHERE t.user_id = u.id AND t.created_at > ?5) < ?6
       RETURNING user_id`,
    )
    .bind(
      normaliseEmail(email),
      await sha256Hex(token),
      now.getTime() + RESET_TOKEN_TTL_MS,
      now.getTime(),
      now.getTime() - HOUR_MS,
      RESETS_PER_HOUR,
    )
    .first<{ user_id: number }>();
  if (!created) return false;
  const link = resetLink(settings, token);
  await enqueueEmail(jobs, {
    to: normaliseEmail(email),
    subject: 'Reset your Ahoum password',
    text:
      `Someone (hopefully you) asked to reset the password of your Ahoum account.\n\n` +
      `Choose a new password here within 30 minutes: ${link}\n\n` +
      `If it was not you, ignore this email: your password stays as it is.`,
  });
  return true;
}

/**
 * POST /password/reset. One batch: the token is claimed (unused and unexpired, else nothing happens), the password
 * set through that claim (token version bumped, refresh tokens revoked), and the account's other reset tokens spent.
 */
export async function resetPassword(db: Database, input: { token: string; new_password: string }, now: Date) {
  const hash = await sha256Hex(input.token);
  const record = await hashPassword(input.new_password);
  const batch = new Batch(db.$client);
  const claimed = batch.sql<{ user_id: number }>(
    `UPDATE password_reset_tokens SET used_at = ?1 WHERE token_hash = ?2 AND used_at IS NULL AND expires_at > ?1
     RETURNING user_id`,
    now.getTime(),
    hash,
  );
  const claimant = {
    sql: 'SELECT user_id FROM password_reset_tokens WHERE token_hash = ? AND used_at = ?',
    params: [hash, now.getTime()],
  };
  setPassword(batch, claimant, record, now);
  batch.sql(
    `UPDATE password_reset_tokens SET used_at = ? WHERE used_at IS NULL AND user_id = (${claimant.sql})`,
    now.getTime(),
    ...claimant.params,
  );
  if ((await batch.run()).rows(claimed).length === 0) {
    throw new ApiError('invalid_token', 'This reset link is unknown, used or expired; ask for a new one');
  }
}

/** Cron: tokens expired long enough ago that they no longer count toward the hourly cap either. */
export async function purgeResetTokens(db: Database, now: Date) {
  const result = await db.$client
    .prepare(`DELETE FROM password_reset_tokens WHERE expires_at <= ?`)
    .bind(now.getTime() - HOUR_MS)
    .run();
  return result.meta.changes;
}
