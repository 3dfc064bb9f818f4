import { asc, eq, inArray } from 'drizzle-orm';
import { bookings, paymentEvents, users } from '../../db/schema';
import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import { bookingJson, loadBookings } from '../bookings/read-model';
import { ledgerOfUser, memberPassesOf } from '../passes/read-model';
import { userJson } from './read-model';

/**
 * GET /me/export: every piece of the caller's data: its passes (purchases included) and every ledger row of them (with
 * `member_pass_id`). `payments` is one entry per booking that went to a payment provider: the order, the payment, the refund, and the
 * provider events (webhooks) recorded for it.
 */
export async function exportAccount(db: Database, userId: number) {
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!user) throw new ApiError('not_found', 'User not found');
  const rows = await loadBookings(db, { where: 'b.user_id = ?', params: [userId] });
  const paid = rows.map((row) => row.booking).filter((b) => b.paymentProvider !== null);
  // A subquery, not a list of ids: D1 binds at most 100 parameters per statement.
  const events = paid.length
    ? await db
        .select()
        .from(paymentEvents)
        .where(inArray(paymentEvents.bookingId, db.select({ id: bookings.id }).from(bookings).where(eq(bookings.userId, userId))))
        .orderBy(asc(paymentEvents.receivedAt))
    : [];
  const [memberPasses, ledger] = await Promise.all([memberPassesOf(db, userId), ledgerOfUser(db, userId)]);
  return {
    user: userJson(user),
    bookings: rows.map((row) => bookingJson(row, 'owner')),
    member_passes: memberPasses,
    ledger,
    payments: paid.map((b) => ({
      booking_id: b.id,
      provider: b.paymentProvider,
      order_id: b.paymentOrderId,
      payment_id: b.paymentId,
      amount_due: b.amountDue,
      amount_paid: b.amountPaid,
      currency: b.currency,
      is_paid: b.isPaid,
      refund_id: b.refundId,
      refunded_at: b.refundedAt?.toISOString() ?? null,
      provider_events: events
        .filter((e) => e.bookingId === b.id)
        .map((e) => ({ event_id: e.eventId, type: e.type, received_at: e.receivedAt.toISOString() })),
    })),
  };
}
