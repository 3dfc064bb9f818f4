import { Batch } from '../../db/batch';
import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import { releaseExpiredHolds, releaseHold, type CancelReason } from '../bookings/cancel';
import { promoteNextWaitlisted, type WaitlistRules } from '../bookings/waitlist';
import { bookingMessages, commit } from '../crm/outbox';
import { recountSeats } from '../bookings/seats';
import { voucherForEvent } from '../vouchers/lookup';
import { bookingJson, findBooking } from '../bookings/read-model';
import { takeSeat, takeSeatWithRetries, type SeatRequest } from '../bookings/take-seat';
import { checkoutFields, createProviderOrder, type ProviderOrder } from './order';
import type { PaymentSettings } from './settings';
import { retrieveStripePaymentIntent } from './stripe';

export type Provider = 'razorpay' | 'stripe';

/** A hold counts as an active booking toward MAX_ACTIVE_BOOKINGS_PER_USER (bookings/limit.ts). */
export interface HoldInput extends SeatRequest {
  provider: Provider;
  /** A voucher code: the hold's amount is reduced and a use counted in the same step (vouchers/). */
  voucherCode?: string;
}

/**
 * Holds a seat of a paid event as a `pending_payment` booking (the seat-taking primitive, with the price as
 * `amount_due`), ending at `hold_expires_at`. Expired holds of the event are released first, in the same batch, when
 * they hold the seats it lacks (SeatAttempt).
 */
async function holdSeat(db: Database, input: HoldInput & { voucherId?: number }, settings: PaymentSettings) {
  return takeSeatWithRetries(db, { ...input, waitlist: false, paid: true }, async (now, attempt) => {
    const expiresAt = new Date(now.getTime() + settings.holdMinutes * 60_000);
    const batch = new Batch(db.$client);
    if (attempt.release) releaseExpiredHolds(batch, input.eventId, now, settings.waitlist);
    const kind = {
      status: 'pending_payment' as const,
      holdExpiresAt: expiresAt,
      provider: input.provider,
      voucherId: input.voucherId,
    };
    const held = takeSeat(batch, input, kind, now, { notify: false });
    const hold = (await batch.run()).rows(held)[0];
    return hold && { ...hold, amount_due: hold.amount_due ?? 0, expiresAt };
  });
}

/**
 * Gives a hold's seat back at once (the provider refused the order): the row stays, cancelled with the reason, and the
 * seat goes to the waitlist.
 */
async function giveHoldBack(db: Database, rules: WaitlistRules, hold: { id: number; eventId: number }, reason: CancelReason) {
  const now = new Date();
  const batch = new Batch(db.$client);
  releaseHold(batch, hold, reason, now);
  promoteNextWaitlisted(batch, hold.eventId, now, rules);
  await batch.run();
}

/** The member's hold of this event made since `since` whose provider order was never created: given back. */
async function giveOrphanHoldBack(db: Database, rules: WaitlistRules, input: HoldInput, since: number) {
  const orphan = await db.$client
    .prepare(
      `SELECT id FROM bookings WHERE user_id = ? AND event_id = ? AND status = 'pending_payment'
         AND payment_order_id IS NULL AND booked_at >= ?`,
    )
    .bind(input.userId, input.eventId, since)
    .first<{ id: number }>();
  if (orphan) await giveHoldBack(db, rules, { id: orphan.id, eventId: input.eventId }, 'payment_order_not_saved');
}

/** The member's unexpired hold of this event with this provider whose order exists: re-asking gets it back. */
async function findOpenHold(db: Database, input: HoldInput, now: Date) {
  return db.$client
    .prepare(
      `SELECT id, payment_order_id, amount_due, currency, hold_expires_at FROM bookings
       WHERE user_id = ? AND event_id = ? AND status = 'pending_payment' AND payment_provider = ?
         AND hold_expires_at > ? AND payment_order_id IS NOT NULL`,
    )
    .bind(input.userId, input.eventId, input.provider, now.getTime())
    .first<{ id: number; payment_order_id: string; amount_due: number; currency: string; hold_expires_at: number }>();
}

type OpenHold = NonNullable<Awaited<ReturnType<typeof findOpenHold>>>;

/** The existing hold's answer, with no new order: Stripe's client secret is read back from the PaymentIntent. */
async function openHoldAnswer(db: Database, settings: PaymentSettings, provider: Provider, hold: OpenHold) {
  let clientSecret: string | undefined;
  if (provider === 'stripe') {
    const secret = (await retrieveStripePaymentIntent(settings.stripe, hold.payment_order_id))?.client_secret;
    clientSecret = typeof secret === 'string' ? secret : undefined;
  }
  return paymentAnswer(db, settings, provider, {
    id: hold.id,
    amountDue: hold.amount_due,
    currency: hold.currency,
    expiresAt: new Date(hold.hold_expires_at),
    orderId: hold.payment_order_id,
    clientSecret,
  });
}

/**
 * POST /create-payment: hold a seat, then create the provider's order for the held amount. If the provider fails,
 * the hold is released and the error (502) is passed on, so a failed checkout never keeps a seat. Asking again while
 * the hold is open (a reload of the checkout page) gets the same hold and order back, without a new order.
 */
export async function createPayment(db: Database, crm: Queue, settings: PaymentSettings, input: HoldInput) {
  const open = await findOpenHold(db, input, new Date());
  if (open) return openHoldAnswer(db, settings, input.provider, open);
  const voucherId = input.voucherCode ? (await voucherForEvent(db, input.voucherCode, input.eventId, new Date())).id : undefined;
  let hold: Awaited<ReturnType<typeof holdSeat>>;
  const since = Date.now();
  try {
    hold = await holdSeat(db, { ...input, voucherId }, settings);
  } catch (error) {
    // D1 failed, maybe after committing the hold (its answer lost): an orderless hold could never be paid and would
    // block the user's retry with already_booked, so it is given back now (best effort; else it expires).
    if (!(error instanceof ApiError)) await giveOrphanHoldBack(db, settings.waitlist, input, since).catch(() => undefined);
    // A concurrent request of the same member made the hold first: answer with it once its order exists.
    const raced = error instanceof ApiError && error.code === 'already_booked' ? await findOpenHold(db, input, new Date()) : null;
    if (raced) return openHoldAnswer(db, settings, input.provider, raced);
    throw error;
  }
  if (hold.amount_due === 0) return confirmWithoutPayment(db, crm, hold.id, input.eventId);
  return openOrder(db, settings, { ...hold, eventId: input.eventId, provider: input.provider });
}

/**
 * A hold whose voucher brought the amount to 0: confirmed at once, no provider involved (`paid_with: "voucher"`), with
 * its `booking.created` message; answered `{booking, payment: null}`.
 */
export async function confirmWithoutPayment(db: Database, crm: Queue, bookingId: number, eventId: number) {
  const now = new Date();
  const batch = new Batch(db.$client);
  batch.sql(
    `UPDATE bookings SET status = 'confirmed', hold_expires_at = NULL, paid_with = 'voucher', updated_at = ?1
     WHERE id = ?2 AND status = 'pending_payment' AND amount_due = 0`,
    now.getTime(),
    bookingId,
  );
  bookingMessages(batch, 'booking.created', { where: 'changes() = 1 AND b.id = ?', params: [bookingId], occurredAt: now });
  recountSeats(batch, eventId);
  await commit(batch, crm);
  const booking = await findBooking(db, bookingId);
  return { booking: bookingJson(booking!, 'owner'), payment: null };
}

/** A seat held for payment (a new hold, or a claimed waitlist offer) that needs its provider order. */
export interface HeldSeat {
  id: number;
  eventId: number;
  provider: Provider;
  amount_due: number;
  currency: string;
  expiresAt: Date;
}

/**
 * Creates the provider's order (Razorpay order or Stripe PaymentIntent, with a random idempotency key stored on the
 * booking) for a held seat, records it on the booking and answers `{booking, payment}`. A provider failure gives the
 * seat back and passes the error (502) on.
 */
export async function openOrder(db: Database, settings: PaymentSettings, hold: HeldSeat) {
  const idempotencyKey = crypto.randomUUID();
  let order: ProviderOrder;
  try {
    order = await createProviderOrder(settings, {
      provider: hold.provider,
      amount: hold.amount_due,
      currency: hold.currency,
      reference: { kind: 'booking', id: hold.id },
      idempotencyKey,
    });
  } catch (error) {
    await giveHoldBack(db, settings.waitlist, hold, 'payment_provider_error');
    throw error;
  }
  try {
    await db.$client
      .prepare(`UPDATE bookings SET payment_order_id = ?1, payment_idempotency_key = ?2, updated_at = ?3 WHERE id = ?4`)
      .bind(order.orderId, idempotencyKey, Date.now(), hold.id)
      .run();
  } catch (error) {
    // A hold whose order id was lost can never be paid; give the seat back now (best effort: if D1 is still down,
    // the hold expires after PAYMENT_HOLD_MINUTES) rather than block the user's retry with already_booked.
    await giveHoldBack(db, settings.waitlist, hold, 'payment_order_not_saved').catch(() => undefined);
    throw error;
  }
  return paymentAnswer(db, settings, hold.provider, {
    id: hold.id,
    amountDue: hold.amount_due,
    currency: hold.currency,
    expiresAt: hold.expiresAt,
    ...order,
  });
}

async function paymentAnswer(
  db: Database,
  settings: PaymentSettings,
  provider: Provider,
  hold: { id: number; amountDue: number; currency: string; expiresAt: Date } & ProviderOrder,
) {
  const booking = await findBooking(db, hold.id);
  if (!booking) throw new Error(`booking ${hold.id} vanished after its hold`);
  const common = { provider, amount: hold.amountDue, currency: hold.currency, expires_at: hold.expiresAt.toISOString() };
  return {
    booking: bookingJson(booking, 'owner'),
    payment: { ...common, ...checkoutFields(settings, provider, hold) },
  };
}

/**
 * Cron: releases every expired hold and waitlist offer (events with the most overdue first, bounded per run), recounts
 * their seats and gives freed seats to their waitlists (a few per event per run).
 */
export async function releaseAllExpiredHolds(db: Database, crm: Queue, rules: WaitlistRules, now: Date) {
  const { results } = await db.$client
    .prepare(
      `SELECT event_id FROM (
         SELECT event_id, hold_expires_at AS due FROM bookings WHERE status = 'pending_payment' AND hold_expires_at <= ?1
         UNION ALL
         SELECT event_id, offer_expires_at AS due FROM bookings WHERE status = 'offered' AND offer_expires_at <= ?1
       ) GROUP BY event_id ORDER BY min(due) LIMIT 100`,
    )
    .bind(now.getTime())
    .all<{ event_id: number }>();
  for (const { event_id } of results) {
    const batch = new Batch(db.$client);
    releaseExpiredHolds(batch, event_id, now, rules);
    for (let i = 1; i < PROMOTIONS_PER_EVENT; i++) promoteNextWaitlisted(batch, event_id, now, rules);
    await commit(batch, crm);
  }
  return results.length;
}

const PROMOTIONS_PER_EVENT = 5;
