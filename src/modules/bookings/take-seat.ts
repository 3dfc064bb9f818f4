import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Batch, StepRef } from '../../db/batch';
import { isCheckViolation, isUniqueViolation } from '../../db/errors';
import { bookings, events } from '../../db/schema';
import { ACTIVE_BOOKING_STATUSES } from '../../db/statuses';
import type { Database } from '../../env';
import { assertTokenCurrent, currentTokenSql } from '../../http/auth';
import { ApiError } from '../../http/errors';
import { bookingMessages } from '../crm/outbox';
import { NEW_CHECK_IN_CODE_SQL } from './check-in-code';
import { assertUnderBookingLimit, underBookingLimitSql } from './limit';
import { POLICY_SNAPSHOT_COLUMNS, policySnapshotValues } from './policy';
import { chargeCredits, passUsable } from '../passes/credits';
import { assertPassUsable } from '../passes/usable';
import { discountedSql, hasUseLeft } from '../vouchers/uses';
import { assertVoucherHasUse } from '../vouchers/lookup';
import { hasFreeSeat, holdsActiveBooking, isFull, recountSeats } from './seats';

export interface SeatRequest {
  userId: number;
  eventId: number;
  /** MAX_ACTIVE_BOOKINGS_PER_USER: active bookings on upcoming events the user may hold (limit.ts). */
  maxActiveBookings: number;
  /**
   * The access token's version, on a route whose batch checks the token (route mark userCheck: 'in-batch'): nothing
   * is inserted unless it is still the user's, and a refusal is explained as 401 first.
   */
  tokenVersion?: number;
}

/** What is taken: a seat of a free event, a waitlist place of a full free event, or a payment hold on a paid one. */
export type SeatKind =
  | { status: 'confirmed'; memberPassId?: number }
  | { status: 'waitlisted' }
  | { status: 'pending_payment'; holdExpiresAt: Date; provider: 'razorpay' | 'stripe'; voucherId?: number };

/** A seat of a free event, a hold on a paid one; the waitlist of either (a paid one is offered seats, then pays). */
const priceRule = (kind: SeatKind) =>
  kind.status === 'waitlisted'
    ? 'e.price >= 0'
    : kind.status === 'pending_payment' || (kind.status === 'confirmed' && kind.memberPassId !== undefined)
      ? 'e.price > 0'
      : 'e.price = 0';

export interface TakenSeat {
  id: number;
  amount_due: number | null;
  currency: string;
}

/**
 * The seat check and the insert in one statement: the row is inserted only if the event is bookable, priced for this
 * kind (free, or paid for a hold), has a seat (or, for the waitlist, has none), the user holds no active booking on it
 * and is under the per-user limit. The database decides every race; the partial unique index
 * bookings_one_active_per_user_event and the booked_count CHECK stay as the last line of defence. A hold carries the
 * price as `amount_due`; every booking snapshots the event's cancellation policy and gets its check-in code. With
 * `notify`, the new booking's `booking.created` message follows the insert; a seat taken is recounted in the same batch.
 */
export function takeSeat(
  batch: Batch,
  request: SeatRequest,
  kind: SeatKind,
  now: Date,
  options: { notify: boolean },
): StepRef<TakenSeat> {
  const hold = kind.status === 'pending_payment' ? kind : null;
  const pass = kind.status === 'confirmed' ? (kind.memberPassId ?? null) : null;
  const voucher = hold?.voucherId ?? null;
  // A hold carries the price, less its voucher's discount (never below 0).
  const amountDue = hold
    ? voucher === null
      ? 'e.price'
      : `(SELECT ${discountedSql('e.price', 'v')} FROM vouchers v WHERE v.id = ?9)`
    : 'NULL';
  const inserted = batch.sql<TakenSeat>(
    `INSERT INTO bookings (event_id, user_id, status, booked_at, currency, amount_due, hold_expires_at, payment_provider,
       ${POLICY_SNAPSHOT_COLUMNS}, check_in_code, paid_with, member_pass_id, voucher_id, updated_at)
     SELECT e.id, ?2, ?3, ?4, e.currency, ${amountDue}, ?6, ?7, ${policySnapshotValues('e')},
       ${NEW_CHECK_IN_CODE_SQL}, CASE WHEN ?8 IS NULL THEN NULL ELSE 'pass' END, ?8, ?9, ?4 FROM events e
     WHERE e.id = ?1 AND e.status = 'scheduled' AND e.starts_at > ?4 AND ${priceRule(kind)}
       AND ${kind.status === 'waitlisted' ? isFull('e') : hasFreeSeat('e')}
       AND NOT ${holdsActiveBooking('?2', '?1')}
       AND ${underBookingLimitSql({ user: '?2', now: '?4', limit: '?5' })}
       ${pass === null ? '' : `AND ${passUsable({ pass: '?8', user: '?2', now: '?4', credits: '1', event: 'e' })}`}
       ${voucher === null ? '' : `AND ${hasUseLeft('?9')}`}
       ${request.tokenVersion === undefined ? '' : `AND ${currentTokenSql('?2', '?10')}`}
     RETURNING id, amount_due, currency`,
    request.eventId,
    request.userId,
    kind.status,
    now.getTime(),
    request.maxActiveBookings,
    hold?.holdExpiresAt.getTime() ?? null,
    hold?.provider ?? null,
    pass,
    voucher,
    ...(request.tokenVersion === undefined ? [] : [request.tokenVersion]),
  );
  if (options.notify) {
    // Only if the statement just before inserted a row: changes() and last_insert_rowid() are that INSERT's.
    bookingMessages(batch, 'booking.created', { where: 'changes() = 1 AND b.id = last_insert_rowid()', occurredAt: now });
  }
  // A seat paid with a pass: its credit, in the same batch (nothing is charged if nothing was inserted).
  if (pass !== null) chargeCredits(batch, pass, now);
  if (kind.status !== 'waitlisted') recountSeats(batch, request.eventId);
  return inserted;
}

/** A seat-taking batch refused by a constraint (a concurrent insert won): the same answer as the conditional insert's. */
export function refusalFromConstraint(error: unknown): never {
  if (isUniqueViolation(error)) throw new ApiError('already_booked', 'You already have a booking for this event');
  if (isCheckViolation(error)) throw new ApiError('event_full', 'The event is fully booked');
  throw error;
}

const ATTEMPTS = 3;

/** What a seat-taking attempt does besides taking the seat. */
export interface SeatAttempt {
  /**
   * Release the event's expired payment holds and waitlist offers first (releaseExpiredHolds). The first attempt
   * does not: most seat checks find a seat, and those statements were most of a booking batch's work. Only when the
   * event is full and some of its seats are held by expired holds or offers does the next attempt release them (the
   * cron releases the rest within minutes).
   */
  release: boolean;
}

/**
 * Runs a seat-taking batch (`attempt` returns what it took, or undefined when its conditional insert inserted
 * nothing). When nothing was taken, a read of the event says why; if the reason vanished in between (a seat freed up)
 * or expired holds and offers hold the seats it lacked, the batch is tried again, releasing them.
 */
export async function takeSeatWithRetries<T>(
  db: Database,
  request: SeatRequest & { waitlist: boolean; paid: boolean; memberPassId?: number; voucherId?: number },
  attempt: (now: Date, options: SeatAttempt) => Promise<T | undefined>,
): Promise<T> {
  for (let i = 1; i <= ATTEMPTS; i++) {
    const now = new Date();
    const taken = await attempt(now, { release: i > 1 }).catch(refusalFromConstraint);
    if (taken !== undefined) return taken;
    await explainRefusal(db, request, now);
  }
  throw new ApiError('event_full', 'The event is fully booked');
}

/**
 * Throws the error that explains why a conditional insert did not happen; returns if none applies any more (or if
 * releasing expired holds and offers would free a seat: the next attempt releases them).
 * `paid` is the payment flow (/create-payment), where a free event is the mistake instead of a paid one.
 */
export async function explainRefusal(
  db: Database,
  request: SeatRequest & { waitlist: boolean; paid: boolean; memberPassId?: number; voucherId?: number },
  now: Date,
): Promise<void> {
  if (request.tokenVersion !== undefined) {
    await assertTokenCurrent(db.$client, { id: request.userId, version: request.tokenVersion });
  }
  const [event, active] = await db.batch([
    db
      .select({
        status: events.status,
        startsAt: events.startsAt,
        price: events.price,
        capacity: events.capacity,
        bookedCount: events.bookedCount,
        // Its seats held by payment holds and waitlist offers whose time is up.
        expiredHolders: sql<number>`(SELECT count(*) FROM bookings x WHERE x.event_id = ${events.id}
          AND ((x.status = 'pending_payment' AND x.hold_expires_at <= ${now.getTime()})
            OR (x.status = 'offered' AND x.offer_expires_at <= ${now.getTime()})))`,
      })
      .from(events)
      .where(eq(events.id, request.eventId)),
    db
      .select({ id: bookings.id })
      .from(bookings)
      .where(
        and(
          eq(bookings.userId, request.userId),
          eq(bookings.eventId, request.eventId),
          inArray(bookings.status, ACTIVE_BOOKING_STATUSES),
        ),
      ),
  ]);
  const found = event[0];
  if (!found) throw new ApiError('not_found', 'Event not found');
  if (found.status !== 'scheduled' || found.startsAt.getTime() <= now.getTime()) {
    throw new ApiError(
      'event_not_bookable',
      `This event cannot be booked (it is ${found.status === 'scheduled' ? 'already under way or over' : found.status})`,
    );
  }
  if (active.length > 0) throw new ApiError('already_booked', 'You already have a booking for this event');
  await assertUnderBookingLimit(db, request.userId, request.maxActiveBookings, now);
  if (request.memberPassId !== undefined) {
    if (found.price === 0) throw new ApiError('pass_not_usable', 'This event is free: book it without a pass');
    await assertPassUsable(
      db,
      { memberPassId: request.memberPassId, userId: request.userId, eventId: request.eventId, credits: 1 },
      now,
    );
  } else if (found.price > 0 && !request.paid) {
    throw new ApiError('payment_required', 'This event is paid: book it through POST /create-payment');
  }
  if (found.price === 0 && request.paid) {
    throw new ApiError('payment_not_required', 'This event is free: book it through POST /book');
  }
  const full = found.capacity !== null && found.bookedCount >= found.capacity;
  // Seats that releasing expired holds and offers frees: the next attempt releases them (and may promote the waitlist).
  if (full && found.expiredHolders > 0) return;
  if (request.voucherId !== undefined && !full) await assertVoucherHasUse(db, request.voucherId);
  if (full && !request.waitlist) {
    throw new ApiError('event_full', 'The event is fully booked; join its waitlist with POST /book and waitlist: true');
  }
}
