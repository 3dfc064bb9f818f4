import { and, eq, isNull } from 'drizzle-orm';
import { refreshTokens, users, type UserRow } from '../../db/schema';
import type { Database } from '../../env';
import { conflict, unauthorized } from '../../http/errors';
import { isUniqueViolation } from '../../db/errors';
import { claimLoginAttempt, clearLoginFailures, type ThrottleSettings } from './login-throttle';
import { DECOY_PASSWORD_RECORD, hashPassword, verifyPassword } from './passwords';
import { newRefreshToken, sha256Hex, signAccessToken, type TokenSettings } from './tokens';

export interface UserJson {
  id: number;
  name: string;
  email: string;
  role: UserRow['role'];
  created_at: string;
}

export function userJson(user: Pick<UserRow, 'id' | 'name' | 'email' | 'role' | 'createdAt'>): UserJson {
  return { id: user.id, name: user.name, email: user.email, role: user.role, created_at: user.createdAt.toISOString() };
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function registerUser(db: Database, input: { name: string; email: string; password: string }) {
  const record = await hashPassword(input.password);
  try {
    const [user] = await db
      .insert(users)
      .values({
        name: input.name,
        email: normaliseEmail(input.email),
        passwordAlgorithm: record.algorithm,
        passwordIterations: record.iterations,
        passwordSalt: record.salt,
        passwordHash: record.hash,
      })
      .returning();
    return user!;
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('email_taken', 'An account with this email already exists');
    throw error;
  }
}

export interface SessionSettings {
  tokens: TokenSettings;
  refreshTtlSeconds: number;
  throttle: ThrottleSettings;
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
    access_token: await signAccessToken(settings.tokens, { userId: user.id, role: user.role }),
    token_type: 'Bearer',
    expires_in: settings.tokens.ttlSeconds,
    refresh_token: refreshToken,
    user: userJson(user),
  };
}

const INVALID_CREDENTIALS = 'Invalid email or password';

export async function login(db: Database, settings: SessionSettings, input: { email: string; password: string }) {
  const email = normaliseEmail(input.email);
  const now = new Date();
  // The attempt is recorded as a failure before the password is checked (see claimLoginAttempt); success clears it.
  await claimLoginAttempt(db, email, settings.throttle, now);
  const user = await db.query.users.findFirst({ where: eq(users.email, email) });
  const ok = await verifyPassword(input.password, user ? passwordRecord(user) : DECOY_PASSWORD_RECORD);
  if (!user || !ok) throw unauthorized(INVALID_CREDENTIALS);
  await clearLoginFailures(db, email);
  return issueSession(db, settings, user, crypto.randomUUID(), now);
}

function passwordRecord(user: UserRow) {
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
 * rotated away is treated as stolen: its whole family is revoked.
 */
export async function refreshSession(db: Database, settings: SessionSettings, presented: string) {
  const now = new Date();
  const oldHash = await sha256Hex(presented);
  const nextToken = newRefreshToken();
  const nextHash = await sha256Hex(nextToken);
  const expiresAt = new Date(now.getTime() + settings.refreshTtlSeconds * 1000);

  // Raw statements: drizzle cannot batch an INSERT ... SELECT ... RETURNING, and both must run in one batch.
  const d1 = db.$client;
  const [, inserted] = await d1.batch<{ user_id: number }>([
    d1
      .prepare(
        `UPDATE refresh_tokens SET revoked_at = ?1, replaced_by_hash = ?2
         WHERE token_hash = ?3 AND revoked_at IS NULL AND expires_at > ?1`,
      )
      .bind(now.getTime(), nextHash, oldHash),
    d1
      .prepare(
        `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
         SELECT user_id, family_id, ?1, ?2 FROM refresh_tokens WHERE token_hash = ?3 AND replaced_by_hash = ?1
         RETURNING user_id`,
      )
      .bind(nextHash, expiresAt.getTime(), oldHash),
  ]);

  const userId = inserted?.results[0]?.user_id;
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

export async function revokeRefreshToken(db: Database, userId: number, presented: string) {
  const hash = await sha256Hex(presented);
  await db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.tokenHash, hash), eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
}
