import { eq } from 'drizzle-orm';
import { Batch } from '../../db/batch';
import { bookings } from '../../db/schema';
import type { CurrentUser, Database } from '../../env';
import { ApiError } from '../../http/errors';
import { releaseExpiredHolds } from '../bookings/cancel';
import { commit } from '../crm/outbox';
import { openOrder, type Provider } from './hold';
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
  input: { bookingId: number; actor: CurrentUser; provider: Provider },
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
  const expiresAt = new Date(now.getTime() + settings.holdMinutes * 60_000);
  const claimed = await db.$client
    .prepare(
      `UPDATE bookings SET status = 'pending_payment', payment_provider = ?1, hold_expires_at = ?2, offer_expires_at = NULL,
         amount_due = (SELECT price FROM events WHERE id = bookings.event_id),
         currency = (SELECT currency FROM events WHERE id = bookings.event_id), updated_at = ?3
       WHERE id = ?4 AND status = 'offered' AND offer_expires_at > ?3
       RETURNING id, amount_due, currency`,
    )
    .bind(input.provider, expiresAt.getTime(), now.getTime(), offer.id)
    .first<{ id: number; amount_due: number; currency: string }>();
  // A second claim (or the expiry) got there first.
  if (!claimed) throw new ApiError('booking_not_offered', 'This offer was just claimed or expired');
  return openOrder(db, settings, { ...claimed, eventId: offer.eventId, provider: input.provider, expiresAt });
}
