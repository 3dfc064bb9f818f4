import { eq } from 'drizzle-orm';
import { Batch } from '../../db/batch';
import { bookings } from '../../db/schema';
import type { CurrentUser, Database } from '../../env';
import { ApiError } from '../../http/errors';
import { releaseExpiredHolds } from '../bookings/cancel';
import { commit } from '../crm/outbox';
import { confirmWithoutPayment, openOrder, type Provider } from './hold';
import { assertVoucherHasUse, voucherForEvent } from '../vouchers/lookup';
import { discountedSql, hasUseLeft } from '../vouchers/uses';
import type { PaymentSettings } from './settings';

async function loadOffer(db: Database, id: number) {
  return db.query.bookings.findFirst({
    columns: { id: true, userId: true, eventId: true, status: true, cancelReason: true, offerExpiresAt: true },
    where: eq(bookings.id, id),
  });
}

/**
 * POST /bookings/:id/claim: the user of a waitlist offer turns it into a payment hold (PAYMENT_HOLD_MINUTES from now)
 * with the provider's order, answered like /create-payment; the rest is the ordinary payment flow. One conditional
 * UPDATE (still `offered`, not expired) decides, so an offer is claimed once. An expired offer is 409 `offer_expired`:
 * it is released on the spot and the seat offered to the next in line.
 */
export async function claimOffer(
  db: Database,
  crm: Queue,
  settings: PaymentSettings,
  input: { bookingId: number; actor: CurrentUser; provider: Provider; voucherCode?: string },
) {
  const offer = await loadOffer(db, input.bookingId);
  if (!offer) throw new ApiError('not_found', 'Booking not found');
  if (offer.userId !== input.actor.id) throw new ApiError('forbidden', 'Only the booking’s user can claim its offer');
  const now = new Date();
  const expired = offer.status === 'offered' && offer.offerExpiresAt !== null && offer.offerExpiresAt <= now;
  if (expired || (offer.status === 'cancelled' && offer.cancelReason === 'offer_expired')) {
    if (expired) {
      const batch = new Batch(db.$client);
      releaseExpiredHolds(batch, offer.eventId, now, settings.waitlist);
      await commit(batch, crm);
    }
    throw new ApiError('offer_expired', 'The waitlist offer expired; the seat went to the next in line');
  }
  if (offer.status !== 'offered') {
    throw new ApiError('booking_not_offered', `Only an offered booking can be claimed (this one is ${offer.status})`);
  }
  const voucher = input.voucherCode ? await voucherForEvent(db, input.voucherCode, offer.eventId, now) : null;
  const expiresAt = new Date(now.getTime() + settings.holdMinutes * 60_000);
  // The price, less the voucher's discount; the voucher's use is counted by this same UPDATE (voucher_id, checked).
  const price = voucher === null ? 'e.price' : `(SELECT ${discountedSql('e.price', 'v')} FROM vouchers v WHERE v.id = ?5)`;
  const claimed = await db.$client
    .prepare(
      `UPDATE bookings SET status = 'pending_payment', payment_provider = ?1, hold_expires_at = ?2, offer_expires_at = NULL,
         amount_due = (SELECT ${price} FROM events e WHERE e.id = bookings.event_id),
         currency = (SELECT currency FROM events WHERE id = bookings.event_id), voucher_id = ?5, updated_at = ?3
       WHERE id = ?4 AND status = 'offered' AND offer_expires_at > ?3 ${voucher === null ? '' : `AND ${hasUseLeft('?5')}`}
       RETURNING id, amount_due, currency`,
    )
    .bind(input.provider, expiresAt.getTime(), now.getTime(), offer.id, voucher?.id ?? null)
    .first<{ id: number; amount_due: number; currency: string }>();
  if (!claimed) {
    if (voucher) await assertVoucherHasUse(db, voucher.id);
    // A second claim (or the expiry) got there first.
    throw new ApiError('booking_not_offered', 'This offer was just claimed or expired');
  }
  if (claimed.amount_due === 0) return confirmWithoutPayment(db, crm, claimed.id, offer.eventId);
  return openOrder(db, settings, { ...claimed, eventId: offer.eventId, provider: input.provider, expiresAt });
}
