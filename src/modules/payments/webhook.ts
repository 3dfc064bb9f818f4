import { eq, or } from 'drizzle-orm';
import { bookings, memberPasses, type MemberPassRow } from '../../db/schema';
import { isUniqueViolationOn } from '../../db/errors';
import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import { sha256Hex } from '../../lib/crypto';
import { Batch, type BatchResult } from '../../db/batch';
import { cancelBookings, releaseHold } from '../bookings/cancel';
import { commit } from '../crm/outbox';
import { markPaid, paymentAlreadyUsed } from './mark-paid';
import { verifyRazorpayWebhook } from './razorpay';
import { refundedMessage, refundOrphanPayment } from './refund';
import type { PaymentSettings } from './settings';
import { verifyStripeWebhook } from './stripe';
import type { Provider } from './hold';
import { activatePass } from '../passes/purchase';

/** What a provider's webhook event means for a booking, whatever the provider. */
type Effect =
  | { kind: 'paid'; orderId: string; paymentId: string; amount: number; currency: string }
  | { kind: 'failed'; orderId: string }
  | { kind: 'refunded'; paymentId: string; refundId: string }
  | { kind: 'ignored' };

interface ProviderEvent {
  provider: Provider;
  id: string;
  type: string;
  effect: Effect;
}

const invalidSignature = () => new ApiError('invalid_signature', 'The webhook signature is missing, wrong or stale');
const unreadable = () => new ApiError('invalid_webhook', 'The webhook body is not an event we can read');

type Json = Record<string, any>;

function razorpayEffect(body: Json): Effect {
  const payment = body.payload?.payment?.entity;
  const refund = body.payload?.refund?.entity;
  switch (body.event) {
    case 'payment.captured':
    case 'order.paid':
      return {
        kind: 'paid',
        orderId: String(payment?.order_id),
        paymentId: String(payment?.id),
        amount: Number(payment?.amount),
        currency: String(payment?.currency),
      };
    // A declined attempt leaves the order payable (the customer may retry in Checkout): the hold runs to its expiry.
    case 'payment.failed':
      return { kind: 'ignored' };
    case 'refund.processed':
      return { kind: 'refunded', paymentId: String(refund?.payment_id), refundId: String(refund?.id) };
    default:
      return { kind: 'ignored' };
  }
}

function stripeEffect(body: Json): Effect {
  const object = body.data?.object ?? {};
  switch (body.type) {
    case 'payment_intent.succeeded':
      return {
        kind: 'paid',
        orderId: String(object.id),
        paymentId: String(object.id),
        amount: Number(object.amount_received ?? object.amount),
        currency: String(object.currency),
      };
    // A declined attempt leaves the PaymentIntent payable; only a cancelled one can never be paid.
    case 'payment_intent.payment_failed':
      return { kind: 'ignored' };
    case 'payment_intent.canceled':
      return { kind: 'failed', orderId: String(object.id) };
    case 'charge.refunded':
      return {
        kind: 'refunded',
        paymentId: String(object.payment_intent),
        refundId: String(object.refunds?.data?.[0]?.id ?? object.id),
      };
    default:
      return { kind: 'ignored' };
  }
}

/**
 * A Razorpay event's identity, from the signed body: its type and the id of the entity it is about (the refund, else
 * the payment, else the order). The X-Razorpay-Event-Id header is not signed: anyone replaying a captured webhook
 * could set a new one and have the same event processed again.
 */
async function razorpayEventId(body: Json, rawBody: string): Promise<string> {
  const payload = body.payload ?? {};
  const entityId = payload.refund?.entity?.id ?? payload.payment?.entity?.id ?? payload.order?.entity?.id;
  if (typeof entityId === 'string' && entityId.length > 0 && entityId.length <= 100) return `${String(body.event)}:${entityId}`;
  return `body-${await sha256Hex(rawBody)}`;
}

/** Verifies the signature over the raw body (before parsing anything) and reads the event. */
export async function readProviderEvent(
  settings: PaymentSettings,
  rawBody: string,
  headers: (name: string) => string | undefined,
): Promise<ProviderEvent> {
  const razorpaySignature = headers('X-Razorpay-Signature');
  const stripeSignature = headers('Stripe-Signature');
  let provider: Provider;
  if (razorpaySignature !== undefined) {
    if (!(await verifyRazorpayWebhook(settings.razorpay, rawBody, razorpaySignature))) throw invalidSignature();
    provider = 'razorpay';
  } else if (stripeSignature !== undefined) {
    if (!(await verifyStripeWebhook(settings.stripe, rawBody, stripeSignature))) throw invalidSignature();
    provider = 'stripe';
  } else {
    throw invalidSignature();
  }
  const body = JSON.parse(rawBody) as Json;
  if (typeof body !== 'object' || body === null) throw unreadable();
  if (provider === 'razorpay')
    return { provider, id: await razorpayEventId(body, rawBody), type: String(body.event), effect: razorpayEffect(body) };
  if (typeof body.id !== 'string') throw unreadable();
  return { provider, id: body.id, type: String(body.type), effect: stripeEffect(body) };
}

/**
 * The event's id in `payment_events`, added to the batch of its effect: a redelivered event fails the batch on the
 * primary key, so its effect happens once (the caller answers `duplicate: true`).
 */
function recordProviderEvent(batch: Batch, event: ProviderEvent, bookingId: number | null, now: Date) {
  batch.sql(
    `INSERT INTO payment_events (provider, event_id, type, booking_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)`,
    event.provider,
    event.id,
    event.type,
    bookingId,
    now.getTime(),
  );
}

/** The booking a provider event is about, by order id (holds) or payment id (refunds). */
function findTarget(db: Database, effect: Effect) {
  if (effect.kind === 'ignored') return Promise.resolve(undefined);
  const byOrder = 'orderId' in effect ? eq(bookings.paymentOrderId, effect.orderId) : undefined;
  const byPayment = 'paymentId' in effect ? eq(bookings.paymentId, effect.paymentId) : undefined;
  return db.query.bookings.findFirst({ where: effect.kind === 'refunded' ? byPayment : or(byOrder, byPayment) });
}

/**
 * Applies a verified provider event exactly once: the event id is recorded in `payment_events` in the same batch
 * as its effect, so a redelivery fails on the primary key and changes nothing. Success confirms a held booking
 * (even if the client never called /confirm-booking); failure frees the hold; a refund is recorded on the booking.
 */
export async function handleProviderEvent(db: Database, crm: Queue, settings: PaymentSettings, event: ProviderEvent) {
  const booking = await findTarget(db, event.effect);
  if (!booking && event.effect.kind === 'paid') {
    const purchase = await db.query.memberPasses.findFirst({ where: eq(memberPasses.paymentOrderId, event.effect.orderId) });
    if (purchase) return handlePassPayment(db, crm, event, purchase, event.effect);
  }
  const now = new Date();
  const batch = new Batch(db.$client);
  recordProviderEvent(batch, event, booking?.id ?? null, now);
  const effect = event.effect;
  const paid =
    booking && effect.kind === 'paid' && effect.amount === booking.amountDue && effect.currency.toUpperCase() === booking.currency
      ? markPaid(
          batch,
          { bookingId: booking.id, eventId: booking.eventId, paymentId: effect.paymentId, requireUnexpired: false },
          now,
        )
      : null;
  if (booking && effect.kind === 'failed') releaseHold(batch, booking, 'payment_cancelled', now);
  if (booking && effect.kind === 'refunded') recordRefund(batch, booking, effect, now);
  let result: BatchResult;
  try {
    result = await commit(batch, crm);
  } catch (error) {
    if (isUniqueViolationOn(error, 'payment_events.')) return { duplicate: true };
    return paymentAlreadyUsed(error);
  }
  if (booking && paid && effect.kind === 'paid' && !paid(result) && !booking.isPaid) {
    await refundOrphanPayment(db, crm, settings, { booking, paymentId: effect.paymentId });
  }
  return { duplicate: false };
}

/** A refund made at the provider (ours, or from its dashboard): recorded once; a still-active booking is cancelled. */
function recordRefund(
  batch: Batch,
  booking: { id: number; eventId: number },
  effect: { paymentId: string; refundId: string },
  now: Date,
) {
  cancelBookings(batch, {
    where: 'b.id = ? AND b.refund_id IS NULL',
    params: [booking.id],
    seats: booking.eventId,
    reason: 'refunded',
    now,
    alsoSet: { sql: 'refund_id = ?, refunded_at = ?', params: [effect.refundId, now.getTime()] },
    afterUpdate: (b) => refundedMessage(b, booking.id, effect.paymentId, now),
  });
}

/**
 * A payment of a pass purchase the buyer may never have confirmed: the purchase is activated with the event recorded
 * in the same batch (a redelivery changes nothing). A payment of another amount or currency activates nothing.
 */
async function handlePassPayment(
  db: Database,
  crm: Queue,
  event: ProviderEvent,
  purchase: MemberPassRow,
  effect: { paymentId: string; amount: number; currency: string },
) {
  const now = new Date();
  const batch = new Batch(db.$client);
  recordProviderEvent(batch, event, null, now);
  if (effect.amount === purchase.amountDue && effect.currency.toUpperCase() === purchase.currency) {
    activatePass(batch, { memberPassId: purchase.id, paymentId: effect.paymentId }, now);
  }
  try {
    await commit(batch, crm);
  } catch (error) {
    if (isUniqueViolationOn(error, 'payment_events.')) return { duplicate: true };
    throw error;
  }
  return { duplicate: false };
}
