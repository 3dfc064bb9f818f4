import { and, eq, isNull } from 'drizzle-orm';
import { Batch } from '../../db/batch';
import { refreshTokens, users, type UserRow } from '../../db/schema';
import { positiveInt } from '../../lib/settings';
import type { Database } from '../../env';
import { unauthorized } from '../../http/errors';
import { claimLoginAttempt, clearLoginFailures, type ThrottleSettings } from './login-throttle';
import { DECOY_PASSWORD_RECORD, verifyPassword } from './passwords';
import { normaliseEmail, userJson, type UserJson } from './read-model';
import { sha256Hex } from '../../lib/crypto';
import { newRefreshToken, signAccessToken, tokenSettings, type TokenSettings } from './tokens';

export interface SessionSettings {
  tokens: TokenSettings;
  refreshTtlSeconds: number;
  throttle: ThrottleSettings;
}

export function sessionSettings(env: Env): SessionSettings {
  return {
    tokens: tokenSettings(env),
    refreshTtlSeconds: positiveInt(env.REFRESH_TOKEN_TTL_SECONDS, 30 * 24 * 3600),
    throttle: {
      maxFailures: positiveInt(env.LOGIN_MAX_FAILURES, 5),
      windowSeconds: positiveInt(env.LOGIN_WINDOW_SECONDS, 900),
    },
  };
}

export interface Session {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  user: UserJson;
}

async function issueSession(db: Database, settings: SessionSettings, user: UserRow, familyId: string, now: Date) {
  const refreshToken = newRefreshToken();
  await db.insert(refreshTokens).values({
    userId: user.id,
    familyId,
    tokenHash: await sha256Hex(refreshToken),
    expiresAt: new Date(now.getTime() + settings.refreshTtlSeconds * 1000),
  });
  return sessionBody(settings, user, refreshToken);
}

async function sessionBody(settings: SessionSettings, user: UserRow, refreshToken: string): Promise<Session> {
  return {
    access_token: await signAccessToken(settings.tokens, { userId: user.id, role: user.role, version: user.tokenVersion }),
    token_type: 'Bearer',
    expires_in: settings.tokens.ttlSeconds,
    refresh_token: refreshToken,
    user: userJson(user),
  };
}

const INVALID_CREDENTIALS = 'Invalid email or password';

export async function login(
  db: Database,
  settings: SessionSettings,
  input: { email: string; password: string },
  clientAddress: string,
) {
  const email = normaliseEmail(input.email);
  const attempt = { email, clientAddress };
  const now = new Date();
  // The attempt is recorded as a failure before the password is checked (see claimLoginAttempt); success clears it.
  await claimLoginAttempt(db, attempt, settings.throttle, now);
  const user = await db.query.users.findFirst({ where: eq(users.email, email) });
  const ok = await verifyPassword(input.password, user ? passwordRecord(user) : DECOY_PASSWORD_RECORD);
  if (!user || !ok) throw unauthorized(INVALID_CREDENTIALS);
  await clearLoginFailures(db, attempt);
  return issueSession(db, settings, user, crypto.randomUUID(), now);
}

export function passwordRecord(user: UserRow) {
  return {
    algorithm: user.passwordAlgorithm,
    iterations: user.passwordIterations,
    salt: user.passwordSalt,
    hash: user.passwordHash,
  };
}

/**
 * Rotates a refresh token. The old row is claimed with a conditional UPDATE and the new row is inserted from it
 * in the same batch, so two concurrent refreshes with one token cannot both succeed. A token that was already
 * rotated away is treated as stolen: its whole family is revoked. The new row keeps the old row's `expires_at`:
 * a family lives REFRESH_TOKEN_TTL_SECONDS from its login, however often it is rotated (not sliding forever).
 */
export async function refreshSession(db: Database, settings: SessionSettings, presented: string) {
  const now = new Date();
  const oldHash = await sha256Hex(presented);
  const nextToken = newRefreshToken();
  const nextHash = await sha256Hex(nextToken);

  // Raw statements: drizzle cannot batch an INSERT ... SELECT ... RETURNING, and both must run in one batch.
  const batch = new Batch(db.$client);
  batch.sql(
    `UPDATE refresh_tokens SET revoked_at = ?1, replaced_by_hash = ?2
     WHERE token_hash = ?3 AND revoked_at IS NULL AND expires_at > ?1`,
    now.getTime(),
    nextHash,
    oldHash,
  );
  const inserted = batch.sql<{ user_id: number }>(
    `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
     SELECT user_id, family_id, ?1, expires_at FROM refresh_tokens WHERE token_hash = ?2 AND replaced_by_hash = ?1
     RETURNING user_id`,
    nextHash,
    oldHash,
  );

  const userId = (await batch.run()).rows(inserted)[0]?.user_id;
  if (userId === undefined) {
    const stale = await db.query.refreshTokens.findFirst({ where: eq(refreshTokens.tokenHash, oldHash) });
    if (stale?.replacedByHash) {
      await db
        .update(refreshTokens)
        .set({ revokedAt: now })
        .where(and(eq(refreshTokens.familyId, stale.familyId), isNull(refreshTokens.revokedAt)));
    }
    throw unauthorized('Refresh token is invalid, expired or already used');
  }
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!user) throw unauthorized('Refresh token is invalid, expired or already used');
  return sessionBody(settings, user, nextToken);
}

/** Logout: the presented token's whole family (every rotation of that login) stops working, not only that token. */
export async function revokeRefreshFamily(db: Database, userId: number, presented: string) {
  const hash = await sha256Hex(presented);
  await db.$client
    .prepare(
      `UPDATE refresh_tokens SET revoked_at = ?1
       WHERE revoked_at IS NULL
         AND family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = ?2 AND user_id = ?3)`,
    )
    .bind(Date.now(), hash, userId)
    .run();
}

/** Every refresh token of the user stops working (a password change or reset, account deletion): for a batch. */
export function revokeAllRefreshTokens(batch: Batch, userId: number, now: Date) {
  return batch.sql(`UPDATE refresh_tokens SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL`, now.getTime(), userId);
}

/**
 * Cron: refresh tokens past their family's end. Revoked ones are kept until then (a rotated-away token presented
 * again must still be recognised, to revoke its family); after it, the whole family is dead anyway.
 */
export async function purgeExpiredRefreshTokens(db: Database, now: Date) {
  const result = await db.$client.prepare(`DELETE FROM refresh_tokens WHERE expires_at <= ?`).bind(now.getTime()).run();
  return result.meta.changes;
}
