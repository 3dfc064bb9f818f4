import type { Batch } from '../../db/batch';

/**
 * A member pass's credits as SQL. The balance is never stored: it is the sum of the pass's ledger rows, so "the
 * balance equals the ledger" holds by construction. Every statement that spends or returns a credit is a ledger
 * INSERT in the same batch as the booking change that causes it; the unique index on (booking_id, reason) makes a
 * second charge or return of the same booking impossible.
 */

/** SQL: the credits left on the member pass `alias` (a `member_passes` row). */
export const balanceSql = (alias: string) =>
  `(SELECT coalesce(sum(l.change), 0) FROM pass_ledger l WHERE l.member_pass_id = ${alias}.id)`;

/**
 * SQL: member pass `pass` (an id expression) belongs to `user`, is active and unexpired at `now`, has `credits` left
 * (unless unlimited) and is valid for the type of the events row `event`.
 */
export const passUsable = (o: { pass: string; user: string; now: string; credits: string; event: string }) =>
  `EXISTS (SELECT 1 FROM member_passes mp WHERE mp.id = ${o.pass} AND mp.user_id = ${o.user} AND mp.status = 'active'
    AND mp.expires_at > ${o.now} AND (mp.unlimited = 1 OR ${balanceSql('mp')} >= ${o.credits})
    AND (mp.event_types IS NULL OR EXISTS (SELECT 1 FROM json_each(mp.event_types) t WHERE lower(t.value) = lower(${o.event}.type))))`;

/**
 * One credit (-1, reason `booking`) for each booking of `passId` that the statement just before inserted and that
 * has no charge yet: bookings of that pass booked at `now` (the batch's instant) by its user. An unlimited pass has
 * no credits to spend, so no row.
 */
export function chargeCredits(batch: Batch, passId: number, now: Date) {
  return batch.sql(
    `INSERT INTO pass_ledger (member_pass_id, change, reason, booking_id, created_at)
     SELECT b.member_pass_id, -1, 'booking', b.id, ?2 FROM bookings b JOIN member_passes mp ON mp.id = b.member_pass_id
     WHERE b.member_pass_id = ?1 AND b.booked_at = ?2 AND b.paid_with = 'pass' AND mp.unlimited = 0
       AND NOT EXISTS (SELECT 1 FROM pass_ledger c WHERE c.booking_id = b.id AND c.reason = 'booking')
     ORDER BY b.id`,
    passId,
    now.getTime(),
  );
}

/**
 * The credit back (+1, `booking_cancelled`) for every pass booking cancelled at `now` by this batch that is owed one:
 * not a late cancel (forfeited), not moved by a transfer (the new booking carries the credit), not returned yet, on a
 * limited pass still active. Added right after a cancel's UPDATE (bookings/cancel.ts).
 */
export function returnCredits(batch: Batch, now: Date) {
  return batch.sql(
    `INSERT INTO pass_ledger (member_pass_id, change, reason, booking_id, created_at)
     SELECT b.member_pass_id, 1, 'booking_cancelled', b.id, ?1 FROM bookings b JOIN member_passes mp ON mp.id = b.member_pass_id
     WHERE b.status = 'cancelled' AND b.cancelled_at = ?1 AND b.paid_with = 'pass' AND b.late_cancel = 0
       AND coalesce(b.cancel_reason, '') <> 'transferred' AND mp.unlimited = 0 AND mp.status = 'active' AND mp.expires_at > ?1
       AND NOT EXISTS (SELECT 1 FROM pass_ledger c WHERE c.booking_id = b.id AND c.reason = 'booking_cancelled')
     ORDER BY b.id`,
    now.getTime(),
  );
}
