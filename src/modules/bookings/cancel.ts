import { eq } from 'drizzle-orm';
import { Batch, type StepRef } from '../../db/batch';
import { bookings, events } from '../../db/schema';
import { ACTIVE_BOOKING_STATUSES_SQL } from '../../db/statuses';
import type { CurrentUser, Database } from '../../env';
import { ApiError } from '../../http/errors';
import { bookingMessages, commit } from '../crm/outbox';
import { cancellationOutcome, type CancellationOutcome } from './policy';
import { bookingJsonById } from './read-model';
import { returnCredits } from '../passes/credits';
import { recountSeats, type SeatScope } from './seats';
import { promoteNextWaitlisted, type WaitlistRules } from './waitlist';

/** Why a booking was cancelled, as `cancel_reason` (and the CRM's `cancel_reason`) shows it. */
export type CancelReason =
  | 'user_cancelled'
  | 'admin_cancelled'
  | 'event_cancelled'
  | 'min_attendance_not_met'
  | 'offer_expired'
  | 'waitlist_closed'
  | 'transferred'
  | 'payment_expired'
  | 'payment_failed'
  | 'payment_cancelled'
  | 'payment_provider_error'
  | 'payment_order_not_saved'
  | 'refunded';

export interface CancelBookings {
  /** Which bookings: an SQL condition on `b` (bookings) and `e` (their events), with `?` placeholders. */
  where: string;
  params: unknown[];
  /** The events whose seats are recounted: the one every matched booking belongs to, or a selection of events. */
  seats: SeatScope;
  /** Recorded as cancel_reason, unless the booking was already cancelled with one (its first reason stays). */
  reason: CancelReason;
  now: Date;
  /** Write a `booking.cancelled` CRM message per booking. */
  notify?: boolean;
  /** Give the freed seat to the waitlist by these rules (one event's): confirmed, or offered on a paid event. */
  promote?: WaitlistRules;
  /** More columns to set in the same UPDATE (e.g. the payment id of a refund), with their parameters. */
  alsoSet?: { sql: string; params: unknown[] };
  /** Statements that must directly follow the UPDATE (they read its `changes()`). */
  afterUpdate?: (batch: Batch) => void;
  /**
   * The policy's outcome of a cancel by a user (cancellationOutcome): recorded as late_cancel and refund_amount. Without
   * it the cancel is not late and a paid booking is owed its whole amount.
   */
  outcome?: Pick<CancellationOutcome, 'late' | 'refundAmount'>;
  /**
   * Leave out what cannot apply, to keep hot batches short: `creditsBack: false` when no booking matched can have been
   * paid with a pass (holds and offers never are); `recount: false` when the caller recounts once after several cancels.
   */
  creditsBack?: boolean;
  recount?: boolean;
}

const asJsonText = (value: boolean | number | null) => `'${JSON.stringify(value)}'`;

/**
 * THE way a booking is cancelled, for every path that does it (a user or admin cancel, an event's cascade, an expired
 * or failed payment hold, a provider failure, a refund): the row stays, with `cancelled`, cancelled_at and the
 * reason; the seat is freed by a recount in the same batch; optionally its CRM message and the waitlist promotion.
 * The message is added before the UPDATE and selects by the same condition, so it is written exactly for the
 * bookings the UPDATE changes. Returns the UPDATE's step: its rows are the cancelled bookings' ids.
 */
export function cancelBookings(batch: Batch, options: CancelBookings): StepRef<{ id: number }> {
  const ms = options.now.getTime();
  const outcome = options.outcome;
  if (options.notify) {
    bookingMessages(batch, 'booking.cancelled', {
      where: options.where,
      params: options.params,
      occurredAt: options.now,
      bookingStatus: 'cancelled',
      cancelReason: options.reason,
      extraJson: {
        late_cancel: asJsonText(outcome?.late ?? false),
        refund_amount: outcome ? asJsonText(outcome.refundAmount) : 'json_quote(CASE WHEN b.is_paid THEN b.amount_paid END)',
      },
    });
  }
  const also = options.alsoSet ? `, ${options.alsoSet.sql}` : '';
  // A booking cancelled before (a released hold paid late) keeps its first outcome, as it keeps its first reason.
  const cancelled = batch.sql<{ id: number }>(
    `UPDATE bookings SET status = 'cancelled', cancelled_at = coalesce(cancelled_at, ?), cancel_reason = coalesce(cancel_reason, ?),
       late_cancel = CASE WHEN status = 'cancelled' THEN late_cancel ELSE ? END,
       refund_amount = CASE WHEN status = 'cancelled' THEN refund_amount ELSE ${outcome ? '?' : 'CASE WHEN is_paid THEN amount_paid END'} END,
       updated_at = ?${also}
     WHERE id IN (SELECT b.id FROM bookings b JOIN events e ON e.id = b.event_id WHERE ${options.where})
     RETURNING id`,
    ms,
    options.reason,
    outcome?.late ? 1 : 0,
    ...(outcome ? [outcome.refundAmount] : []),
    ms,
    ...(options.alsoSet?.params ?? []),
    ...options.params,
  );
  options.afterUpdate?.(batch);
  // A pass credit that paid for a booking cancelled here comes back, unless the cancel was late.
  if (options.creditsBack !== false) returnCredits(batch, options.now);
  if (options.recount !== false) recountSeats(batch, options.seats);
  if (options.promote && typeof options.seats === 'number') {
    promoteNextWaitlisted(batch, options.seats, options.now, options.promote);
  }
  return cancelled;
}

/**
 * Payment holds and waitlist offers whose time is up give their seat back (cancelled with reason `payment_expired`, no
 * message; `offer_expired`, with its `booking.cancelled`), and a freed seat goes to the waitlist by `rules`. Every
 * batch that checks an event's seats runs this first, so an expired hold never blocks a seat even before the cron.
 */
export function releaseExpiredHolds(batch: Batch, eventId: number, now: Date, rules: WaitlistRules | null) {
  // Every seat-taking batch starts with these, so they are as few as can be: holds and offers are never paid with a
  // pass (no credit to give back), and the seats are recounted once after both.
  const holds = cancelBookings(batch, {
    where: `b.event_id = ? AND b.status = 'pending_payment' AND b.hold_expires_at <= ?`,
    params: [eventId, now.getTime()],
    seats: eventId,
    reason: 'payment_expired',
    now,
    creditsBack: false,
    recount: false,
  });
  cancelBookings(batch, {
    where: `b.event_id = ? AND b.status = 'offered' AND b.offer_expires_at <= ?`,
    params: [eventId, now.getTime()],
    seats: eventId,
    reason: 'offer_expired',
    now,
    notify: true,
    creditsBack: false,
  });
  // One promotion per call keeps the batch small; the cron (and the next seat check) gives the rest. Without rules
  // (a late payment taking its seat back first) the cron promotes.
  if (rules) promoteNextWaitlisted(batch, eventId, now, rules);
  return holds;
}

/** A payment hold given back at once (the provider refused the order, or its PaymentIntent was cancelled). */
export function releaseHold(batch: Batch, hold: { id: number; eventId: number }, reason: CancelReason, now: Date) {
  return cancelBookings(batch, {
    where: `b.id = ? AND b.status = 'pending_payment'`,
    params: [hold.id],
    seats: hold.eventId,
    reason,
    now,
    creditsBack: false,
  });
}

/** Active, not started and paid or not as when the outcome was computed: the condition under which the cancel applies. */
const CANCELLABLE = `b.id = ? AND b.status IN ${ACTIVE_BOOKING_STATUSES_SQL} AND e.starts_at > ? AND b.is_paid = ?`;

async function loadForCancel(db: Database, id: number) {
  const [row] = await db
    .select({
      userId: bookings.userId,
      eventId: bookings.eventId,
      status: bookings.status,
      isPaid: bookings.isPaid,
      amountPaid: bookings.amountPaid,
      currency: bookings.currency,
      policyCutoffHours: bookings.policyCutoffHours,
      policyLateRefundPercent: bookings.policyLateRefundPercent,
      paidWith: bookings.paidWith,
      startsAt: events.startsAt,
    })
    .from(bookings)
    .innerJoin(events, eq(events.id, bookings.eventId))
    .where(eq(bookings.id, id));
  return row;
}

/** The rules in the documented order: missing 404, someone else's 403, cancelled 409, started 409. */
function assertCancellable(row: Awaited<ReturnType<typeof loadForCancel>>, actor: CurrentUser, now: Date) {
  if (!row) throw new ApiError('not_found', 'Booking not found');
  if (row.userId !== actor.id && actor.role !== 'admin') throw new ApiError('forbidden', 'You can only cancel your own bookings');
  if (row.status === 'cancelled') throw new ApiError('booking_already_cancelled', 'This booking is already cancelled');
  if (row.startsAt.getTime() <= now.getTime()) {
    throw new ApiError('event_started', 'The event has already started; the booking can no longer be cancelled');
  }
  return row;
}

/**
 * GET /bookings/:id/cancellation-quote: what `cancelBooking` by the same actor at `now` would do, with the same
 * checks (so a booking that cannot be cancelled has no quote) and the same computation.
 */
export async function quoteCancellation(db: Database, input: { bookingId: number; actor: CurrentUser }, now = new Date()) {
  const row = assertCancellable(await loadForCancel(db, input.bookingId), input.actor, now);
  return cancellationOutcome(row, input.actor, now);
}

/**
 * A user (or an admin) cancels a booking: in one batch its policy outcome (late_cancel, refund_amount), its
 * `booking.cancelled` message, the seat recount and the promotion of the earliest waitlisted booking into the freed
 * seat. The refund itself is the caller's next step (the provider is called outside the batch).
 */
export async function cancelBooking(
  db: Database,
  crm: Queue,
  input: { bookingId: number; actor: CurrentUser; waitlist: WaitlistRules },
) {
  let row = await loadForCancel(db, input.bookingId);
  for (let attempt = 1; attempt <= 3; attempt++) {
    const now = new Date();
    const cancellable = assertCancellable(row, input.actor, now);
    const reason = cancellable.userId === input.actor.id ? ('user_cancelled' as const) : ('admin_cancelled' as const);
    const batch = new Batch(db.$client);
    const cancelled = cancelBookings(batch, {
      where: CANCELLABLE,
      params: [input.bookingId, now.getTime(), cancellable.isPaid ? 1 : 0],
      seats: cancellable.eventId,
      reason,
      now,
      notify: true,
      promote: input.waitlist,
      outcome: cancellationOutcome(cancellable, input.actor, now),
    });
    const result = await commit(batch, crm);
    if (result.rows(cancelled).length > 0) return bookingJsonById(db, input.bookingId, 'owner');
    // A concurrent cancel, a payment or the start passing changed the booking: re-read, so the rule that now applies answers.
    row = await loadForCancel(db, input.bookingId);
  }
  throw new ApiError('booking_already_cancelled', 'This booking is already cancelled');
}
