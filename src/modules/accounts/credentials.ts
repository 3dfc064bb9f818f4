import { eq } from 'drizzle-orm';
import { Batch } from '../../db/batch';
import { users } from '../../db/schema';
import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import { hashPassword, verifyPassword, type PasswordRecord } from './passwords';
import { passwordRecord } from './sessions';

export const invalidPassword = () => new ApiError('invalid_password', 'The password is not correct');

/** The account's row if `password` is its password, else 400 invalid_password (a deleted account has none). */
export async function assertPassword(db: Database, userId: number, password: string) {
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!user || !(await verifyPassword(password, passwordRecord(user)))) throw invalidPassword();
  return user;
}

/**
 * A new password for the account, in the caller's batch, with what must go with it: the token version moves on (every
 * access token issued before is refused) and every refresh token is revoked. `onlyIf` is an extra SQL condition on
 * the users row (e.g. the old hash is still the one verified), with its parameters.
 */
export function setPassword(
  batch: Batch,
  userId: number | { sql: string; params: unknown[] },
  record: PasswordRecord,
  now: Date,
  onlyIf: { sql: string; params: unknown[] } = { sql: '1', params: [] },
) {
  const id = typeof userId === 'number' ? { sql: '?', params: [userId] } : userId;
  const updated = batch.sql<{ id: number }>(
    `UPDATE users SET password_algorithm = ?, password_iterations = ?, password_salt = ?, password_hash = ?,
       token_version = token_version + 1, updated_at = ?
     WHERE id = (${id.sql}) AND deleted_at IS NULL AND ${onlyIf.sql}
     RETURNING id`,
    record.algorithm,
    record.iterations,
    record.salt,
    record.hash,
    now.getTime(),
    ...id.params,
    ...onlyIf.params,
  );
  batch.sql(
    `UPDATE refresh_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND user_id = (${id.sql}) AND changes() > 0`,
    now.getTime(),
    ...id.params,
  );
  return updated;
}

/**
 * POST /password/change. The update is conditional on the hash just verified, so two concurrent changes cannot both
 * win with the same old password (the loser is told its current password is no longer right).
 */
export async function changePassword(db: Database, userId: number, input: { current_password: string; new_password: string }) {
  const user = await assertPassword(db, userId, input.current_password);
  const record = await hashPassword(input.new_password);
  const batch = new Batch(db.$client);
  const updated = setPassword(batch, userId, record, new Date(), { sql: 'password_hash = ?', params: [user.passwordHash] });
  if ((await batch.run()).rows(updated).length === 0) throw invalidPassword();
}
