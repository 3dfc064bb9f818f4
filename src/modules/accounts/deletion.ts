import { Batch } from '../../db/batch';
import { ACTIVE_BOOKING_STATUSES_SQL } from '../../db/statuses';
import type { CurrentUser, Database } from '../../env';
import { cancelBooking } from '../bookings/cancel';
import { refundBooking } from '../payments/refund';
import type { PaymentSettings } from '../payments/settings';
import { assertPassword } from './credentials';
import { revokeAllRefreshTokens } from './sessions';

/**
 * How account deletion cancels one booking: the ordinary cancel by its own user (seat freed, waitlist moved, CRM
 * message) and, for a paid booking, the refund the cancellation policy gives (in full before the cut-off).
 */
async function cancelForDeletion(db: Database, crm: Queue, payments: PaymentSettings, actor: CurrentUser, bookingId: number) {
  const cancelled = await cancelBooking(db, crm, { bookingId, actor, waitlist: payments.waitlist });
  if (cancelled.is_paid) await refundBooking(db, crm, payments, cancelled.id);
}

/**
 * DELETE /me. Bookings of events that have not started are cancelled first (a failure leaves the account as it was,
 * so the user can try again); then, in one batch, the account is anonymised (name `Deleted user`, email
 * `deleted-<id>@invalid`, no password: login is impossible and the address is free to register again), its token
 * version moves on (access tokens refused), its refresh and reset tokens die and a facilitator record is unlinked.
 * Booking rows stay, for the organisers' records.
 */
export async function deleteAccount(db: Database, crm: Queue, payments: PaymentSettings, actor: CurrentUser, password: string) {
  await assertPassword(db, actor.id, password);
  const now = new Date();
  const { results } = await db.$client
    .prepare(
      `SELECT b.id FROM bookings b JOIN events e ON e.id = b.event_id
       WHERE b.user_id = ? AND b.status IN ${ACTIVE_BOOKING_STATUSES_SQL} AND e.starts_at > ? ORDER BY b.id`,
    )
    .bind(actor.id, now.getTime())
    .all<{ id: number }>();
  for (const { id } of results) await cancelForDeletion(db, crm, payments, actor, id);

  const batch = new Batch(db.$client);
  batch.sql(
    `UPDATE users SET name = 'Deleted user', email = 'deleted-' || id || '@invalid', role = 'member',
       password_algorithm = 'none', password_iterations = 1, password_salt = '', password_hash = '',
       token_version = token_version + 1, deleted_at = ?1, updated_at = ?1
     WHERE id = ?2`,
    now.getTime(),
    actor.id,
  );
  revokeAllRefreshTokens(batch, actor.id, now);
  batch.sql(`UPDATE password_reset_tokens SET used_at = ?1 WHERE user_id = ?2 AND used_at IS NULL`, now.getTime(), actor.id);
  batch.sql(`UPDATE facilitators SET user_id = NULL, updated_at = ?1 WHERE user_id = ?2`, now.getTime(), actor.id);
  // The secret calendar subscription URL stops answering with the account.
  batch.sql(`DELETE FROM calendar_feeds WHERE user_id = ?1`, actor.id);
  await batch.run();
}
