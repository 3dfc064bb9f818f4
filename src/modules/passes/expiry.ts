import { Batch } from '../../db/batch';
import type { Database } from '../../env';
import { balanceSql } from './credits';

const CHUNK = 500;

/** Active passes whose time is up, in id order, at most CHUNK: the same selection for both statements of a batch. */
const DUE = `mp.id IN (SELECT id FROM member_passes WHERE status = 'active' AND expires_at <= ?1 ORDER BY id LIMIT ${CHUNK})`;

/**
 * Cron: expired passes. In one batch, the credits a pack still had are written off (one `expiry` ledger row of minus
 * the balance, so the balance becomes 0) and the pass becomes `expired`. Once: both statements touch only passes still
 * `active`, and the unique index allows one `expiry` row per pass.
 */
export async function expirePasses(db: Database, now: Date): Promise<number> {
  const batch = new Batch(db.$client);
  batch.sql(
    `INSERT INTO pass_ledger (member_pass_id, change, reason, booking_id, created_at)
     SELECT mp.id, -${balanceSql('mp')}, 'expiry', NULL, ?1 FROM member_passes mp
     WHERE ${DUE} AND mp.unlimited = 0 AND ${balanceSql('mp')} > 0
     ON CONFLICT DO NOTHING`,
    now.getTime(),
  );
  const expired = batch.sql(
    `UPDATE member_passes SET status = 'expired', updated_at = ?1 WHERE id IN (SELECT mp.id FROM member_passes mp WHERE ${DUE})`,
    now.getTime(),
  );
  return (await batch.run()).changes(expired);
}
