import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import { balanceSql } from './credits';

/**
 * Why a member pass cannot pay for `credits` classes of this event, as 409 `pass_not_usable` (unknown, someone
 * else's, not active, expired, too few credits, or not for this event's type); returns when it can.
 */
export async function assertPassUsable(
  db: Database,
  input: { memberPassId: number; userId: number; eventId: number; credits: number },
  now: Date,
) {
  const row = await db.$client
    .prepare(
      `SELECT mp.user_id, mp.status, mp.expires_at, mp.unlimited, ${balanceSql('mp')} AS balance,
         (mp.event_types IS NULL OR EXISTS (SELECT 1 FROM json_each(mp.event_types) t, events e
            WHERE e.id = ?2 AND lower(t.value) = lower(e.type))) AS type_ok
       FROM member_passes mp WHERE mp.id = ?1`,
    )
    .bind(input.memberPassId, input.eventId)
    .first<{ user_id: number; status: string; expires_at: number | null; unlimited: number; balance: number; type_ok: number }>();
  const refuse = (why: string) => {
    throw new ApiError('pass_not_usable', `This pass cannot be used: ${why}`);
  };
  if (!row || row.user_id !== input.userId) return refuse('it is not one of your passes');
  if (row.status !== 'active') return refuse(`it is ${row.status}`);
  if (row.expires_at === null || row.expires_at <= now.getTime()) return refuse('it has expired');
  if (!row.type_ok) return refuse('it is not valid for this type of event');
  if (!row.unlimited && row.balance < input.credits) {
    return refuse(row.balance === 0 ? 'it has no credits left' : `it has ${row.balance} credits left, ${input.credits} needed`);
  }
}
