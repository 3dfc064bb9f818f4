import type { BookingRow } from '../../db/schema';
import type { CurrentUser } from '../../env';
import { wholeNumber } from '../../lib/settings';

/**
 * The cancellation policy. An event (or series) says until how many hours before its start a booking may be
 * cancelled for free and what share of the price a later cancel refunds. Each booking snapshots both when it is
 * made, so an edit of the event never changes what an existing booking gets. `cancellationOutcome` is the one
 * computation of what a cancel does: the quote shows it and the cancel applies it.
 */

const HOUR = 3_600_000;
export const DEFAULT_CUTOFF_HOURS = 12;
export const MAX_CUTOFF_HOURS = 720;

export function defaultCutoffHours(env: Pick<Env, 'CANCELLATION_CUTOFF_HOURS'>): number {
  return wholeNumber(env.CANCELLATION_CUTOFF_HOURS, DEFAULT_CUTOFF_HOURS, MAX_CUTOFF_HOURS);
}

/** For an INSERT into bookings from the events row `alias`: the snapshot columns and their values. */
export const POLICY_SNAPSHOT_COLUMNS = 'policy_cutoff_hours, policy_late_refund_percent';
export const policySnapshotValues = (alias: string) => `${alias}.cancellation_cutoff_hours, ${alias}.late_cancel_refund_percent`;

/** What the outcome of a cancel depends on: the booking (its snapshot and payment) and its event's start. */
export type CancellationSubject = Pick<
  BookingRow,
  'userId' | 'isPaid' | 'amountPaid' | 'currency' | 'policyCutoffHours' | 'policyLateRefundPercent' | 'paidWith'
> & { startsAt: Date };

export interface CancellationOutcome {
  /** A cancel by the booking's own user from the cut-off on. An admin's cancel is never late. */
  late: boolean;
  cutoffAt: Date;
  /** Minor units; null when nothing was paid, 0 when a late cancel refunds nothing. */
  refundAmount: number | null;
  currency: string;
  /** Whether the class-pass credit that paid for it comes back: yes unless the cancel is late (then it is forfeited). */
  creditReturned: boolean;
}

export const cutoffAt = (startsAt: Date, cutoffHours: number) => new Date(startsAt.getTime() - cutoffHours * HOUR);

/**
 * What cancelling `subject` at `now` by `actor` does. Before the cut-off (and always for an admin cancelling someone
 * else's booking) a paid booking is refunded in full; from the cut-off until the start the refund is
 * floor(amount paid × percent / 100) in minor units.
 */
export function cancellationOutcome(subject: CancellationSubject, actor: CurrentUser, now: Date): CancellationOutcome {
  const cutoff = cutoffAt(subject.startsAt, subject.policyCutoffHours);
  const late = subject.userId === actor.id && now.getTime() >= cutoff.getTime();
  const paid = subject.amountPaid ?? 0;
  const refundAmount = subject.isPaid ? (late ? Math.floor((paid * subject.policyLateRefundPercent) / 100) : paid) : null;
  return {
    late,
    cutoffAt: cutoff,
    refundAmount,
    currency: subject.currency,
    creditReturned: subject.paidWith === 'pass' && !late,
  };
}

/** The contract's answer of GET /bookings/:id/cancellation-quote. */
export function quoteJson(bookingId: number, outcome: CancellationOutcome) {
  return {
    booking_id: bookingId,
    late: outcome.late,
    cutoff_at: outcome.cutoffAt.toISOString(),
    refund: outcome.refundAmount ? { amount: outcome.refundAmount, currency: outcome.currency } : null,
    credit_returned: outcome.creditReturned,
  };
}
