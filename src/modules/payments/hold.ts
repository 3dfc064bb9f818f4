import type { Database } from '../../env';
import { conflict } from '../../http/errors';
import { ACTIVE_BOOKING_STATUSES_SQL } from '../crm/outbox';
import { explainRefusal, refusalFromConstraint } from '../bookings/book';
import { underBookingLimitSql } from '../bookings/limit';
import { bookingJson, findBooking } from '../bookings/read-model';
import { recountSeats, releaseExpiredHolds } from '../bookings/seats';
import { paymentProviderUnavailable } from './provider';
import { createRazorpayOrder } from './razorpay';
import type { PaymentSettings } from './settings';
import { createStripePaymentIntent } from './stripe';

export type Provider = 'razorpay' | 'stripe';

/** `maxActiveBookings`: MAX_ACTIVE_BOOKINGS_PER_USER; a hold counts as an active booking (booking-limit.ts). */
export interface HoldInput {
  userId: number;
  eventId: number;
  provider: Provider;
  maxActiveBookings: number;
}

/**
 * Holds a seat of a paid event as a `pending_payment` booking, in the same statement as the seat check; the hold
 * carries the price as `amount_due` and ends at `hold_expires_at`. Expired holds of the event are released first.
 */
function insertHold(d1: D1Database, input: HoldInput, now: number, expiresAt: number) {
  return d1
    .prepare(
      `INSERT INTO bookings (event_id, user_id, status, booked_at, currency, amount_due, hold_expires_at, payment_provider, updated_at)
       SELECT e.id, ?2, 'pending_payment', ?3, e.currency, e.price, ?4, ?5, ?3 FROM events e
       WHERE e.id = ?1 AND e.status = 'scheduled' AND e.starts_at > ?3 AND e.price > 0
         AND (e.capacity IS NULL OR e.booked_count < e.capacity)
         AND NOT EXISTS (SELECT 1 FROM bookings o WHERE o.user_id = ?2 AND o.event_id = ?1
           AND o.status IN ${ACTIVE_BOOKING_STATUSES_SQL})
         AND ${underBookingLimitSql({ user: '?2', now: '?3', limit: '?6' })}
       RETURNING id, amount_due, currency`,
    )
    .bind(input.eventId, input.userId, now, expiresAt, input.provider, input.maxActiveBookings);
}

async function holdSeat(db: Database, input: HoldInput, holdMinutes: number) {
  const d1 = db.$client;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const now = new Date();
    const expiresAt = now.getTime() + holdMinutes * 60_000;
    const results = await d1
      .batch<{ id: number; amount_due: number; currency: string }>([
        releaseExpiredHolds(d1, input.eventId, now),
        recountSeats(d1, input.eventId),
        insertHold(d1, input, now.getTime(), expiresAt),
        recountSeats(d1, input.eventId),
      ])
      .catch(refusalFromConstraint);
    const hold = results[2]?.results[0];
    if (hold) return { ...hold, expiresAt: new Date(expiresAt) };
    await explainRefusal(db, { ...input, waitlist: false, paid: true }, now);
  }
  throw conflict('event_full', 'The event is fully booked');
}

/** Gives a hold's seat back at once (the provider refused the order): the row stays, cancelled with the reason. */
async function releaseHold(db: Database, bookingId: number, eventId: number, reason: string) {
  const d1 = db.$client;
  const now = Date.now();
  await d1.batch([
    d1
      .prepare(
        `UPDATE bookings SET status = 'cancelled', cancelled_at = ?1, cancel_reason = ?2, updated_at = ?1
         WHERE id = ?3 AND status = 'pending_payment'`,
      )
      .bind(now, reason, bookingId),
    recountSeats(d1, eventId),
  ]);
}

/** The provider's order id, or 502: a 2xx answer without one (or with junk in it) must not become a hold without an order. */
function providerId(id: unknown, provider: Provider): string {
  if (typeof id === 'string' && /^[\w-]{1,255}$/.test(id)) return id;
  throw paymentProviderUnavailable(provider, 'answer without a usable order id');
}

/**
 * POST /create-payment: hold a seat, then create the provider's order for the held amount. If the provider fails,
 * the hold is released and the error (502) is passed on, so a failed checkout never keeps a seat.
 */
export async function createPayment(db: Database, settings: PaymentSettings, input: HoldInput) {
  const hold = await holdSeat(db, input, settings.holdMinutes);
  let order: { orderId: string; clientSecret?: string };
  try {
    if (input.provider === 'razorpay') {
      const created = await createRazorpayOrder(settings.razorpay, {
        amount: hold.amount_due,
        currency: hold.currency,
        receipt: `booking-${hold.id}`,
        bookingId: hold.id,
      });
      order = { orderId: providerId(created?.id, 'razorpay') };
    } else {
      const intent = await createStripePaymentIntent(settings.stripe, {
        amount: hold.amount_due,
        currency: hold.currency,
        bookingId: hold.id,
      });
      const secret = intent?.client_secret;
      order = { orderId: providerId(intent?.id, 'stripe'), clientSecret: typeof secret === 'string' ? secret : undefined };
    }
  } catch (error) {
    await releaseHold(db, hold.id, input.eventId, 'payment_provider_error');
    throw error;
  }
  try {
    await db.$client
      .prepare(`UPDATE bookings SET payment_order_id = ?1, updated_at = ?2 WHERE id = ?3`)
      .bind(order.orderId, Date.now(), hold.id)
      .run();
  } catch (error) {
    // A hold whose order id was lost can never be paid; give the seat back now (best effort: if D1 is still down,
    // the hold expires after PAYMENT_HOLD_MINUTES) rather than block the user's retry with already_booked.
    await releaseHold(db, hold.id, input.eventId, 'payment_order_not_saved').catch(() => undefined);
    throw error;
  }

  const booking = await findBooking(db, hold.id);
  if (!booking) throw new Error(`booking ${hold.id} vanished after its hold`);
  const common = {
    provider: input.provider,
    amount: hold.amount_due,
    currency: hold.currency,
    expires_at: hold.expiresAt.toISOString(),
  };
  return {
    booking: bookingJson(booking),
    payment:
      input.provider === 'razorpay'
        ? { ...common, order_id: order.orderId, key_id: settings.razorpay.keyId }
        : { ...common, payment_intent_id: order.orderId, client_secret: order.clientSecret },
  };
}

/** Cron: releases every expired hold (events with the most overdue first, bounded per run) and recounts their seats. */
export async function releaseAllExpiredHolds(db: Database, now: Date) {
  const d1 = db.$client;
  const { results } = await d1
    .prepare(
      `SELECT event_id FROM bookings WHERE status = 'pending_payment' AND hold_expires_at <= ?
       GROUP BY event_id ORDER BY min(hold_expires_at) LIMIT 100`,
    )
    .bind(now.getTime())
    .all<{ event_id: number }>();
  for (const { event_id } of results) {
    await d1.batch([releaseExpiredHolds(d1, event_id, now), recountSeats(d1, event_id)]);
  }
  return results.length;
}
