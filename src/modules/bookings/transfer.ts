import { eq } from 'drizzle-orm';
import { Batch } from '../../db/batch';
import { bookings, events } from '../../db/schema';
import { ACTIVE_BOOKING_STATUSES_SQL } from '../../db/statuses';
import type { CurrentUser, Database } from '../../env';
import { ApiError } from '../../http/errors';
import { bookingMessages, commit } from '../crm/outbox';
import { releaseExpiredHolds } from './cancel';
import { NEW_CHECK_IN_CODE_SQL } from './check-in-code';
import { cutoffAt, POLICY_SNAPSHOT_COLUMNS, policySnapshotValues } from './policy';
import { bookingJsonById } from './read-model';
import { hasFreeSeat, holdsActiveBooking, recountSeats } from './seats';
import { refusalFromConstraint } from './take-seat';
import { promoteNextWaitlisted, type WaitlistRules } from './waitlist';

async function loadBooking(db: Database, id: number) {
  const [row] = await db
    .select({
      id: bookings.id,
      userId: bookings.userId,
      eventId: bookings.eventId,
      status: bookings.status,
      policyCutoffHours: bookings.policyCutoffHours,
      startsAt: events.startsAt,
      price: events.price,
      currency: events.currency,
    })
    .from(bookings)
    .innerJoin(events, eq(events.id, bookings.eventId))
    .where(eq(bookings.id, id));
  return row;
}

type Loaded = NonNullable<Awaited<ReturnType<typeof loadBooking>>>;

async function loadTarget(db: Database, id: number) {
  return db.query.events.findFirst({
    columns: { id: true, status: true, startsAt: true, price: true, currency: true, capacity: true, bookedCount: true },
    where: eq(events.id, id),
  });
}

/** The contract's refusals, in order, from what was read; returns when none applies. */
function assertTransferable(
  old: Loaded | undefined,
  target: Awaited<ReturnType<typeof loadTarget>>,
  actor: CurrentUser,
  now: Date,
): asserts old is Loaded {
  if (!old) throw new ApiError('not_found', 'Booking not found');
  if (old.userId !== actor.id) throw new ApiError('forbidden', 'Only the booking’s user can transfer it');
  if (old.status !== 'confirmed') {
    throw new ApiError('booking_not_confirmed', `Only a confirmed booking can be transferred (this one is ${old.status})`);
  }
  if (!target) throw new ApiError('not_found', 'Event not found');
  if (target.id === old.eventId) throw new ApiError('event_not_bookable', 'The booking is already for this event');
  if (target.status !== 'scheduled' || target.startsAt <= now) {
    throw new ApiError('event_not_bookable', 'The event to move to cannot be booked (cancelled, completed or started)');
  }
  if (target.price !== old.price || target.currency !== old.currency) {
    throw new ApiError('price_differs', 'A booking can only move to an event of the same price and currency');
  }
  if (now >= cutoffAt(old.startsAt, old.policyCutoffHours)) {
    throw new ApiError('cutoff_passed', 'The booking’s cancellation cut-off has passed; it can no longer be transferred');
  }
}

/**
 * POST /bookings/:id/transfer: a confirmed booking moves to another upcoming event of the same price and currency,
 * before its cut-off, in one atomic batch: the old booking is cancelled (reason `transferred`; it owes no refund, its
 * payment goes with the move) only if the target has a free seat and the user holds nothing there, then the new booking
 * is inserted carrying the payment (`transferred_from`), with the target's policy and a new check-in code; both
 * events are recounted and the old one's waitlist moves. Never two seats and never none: the insert depends on the
 * cancel (changes() = 1), and a constraint failing fails both.
 */
export async function transferBooking(
  db: Database,
  crm: Queue,
  input: { bookingId: number; actor: CurrentUser; targetEventId: number; rules: WaitlistRules },
) {
  for (let attempt = 1; attempt <= 2; attempt++) {
    const now = new Date();
    const [old, target] = await Promise.all([loadBooking(db, input.bookingId), loadTarget(db, input.targetEventId)]);
    assertTransferable(old, target, input.actor, now);
    if (target!.capacity !== null && target!.bookedCount >= target!.capacity && attempt === 2) {
      throw new ApiError('event_full', 'The event to move to is fully booked');
    }
    const ms = now.getTime();
    const batch = new Batch(db.$client);
    releaseExpiredHolds(batch, input.targetEventId, now, input.rules);
    const moved = batch.sql(
      `UPDATE bookings SET status = 'cancelled', cancelled_at = ?1, cancel_reason = 'transferred', refund_amount = 0,
         updated_at = ?1
       WHERE id = ?2 AND user_id = ?3 AND status = 'confirmed'
         AND EXISTS (SELECT 1 FROM events o WHERE o.id = bookings.event_id AND o.starts_at - bookings.policy_cutoff_hours * 3600000 > ?1)
         AND EXISTS (SELECT 1 FROM events t WHERE t.id = ?4 AND t.status = 'scheduled' AND t.starts_at > ?1
           AND ${hasFreeSeat('t')} AND t.price = ?5 AND t.currency = ?6)
         AND NOT ${holdsActiveBooking('?3', '?4')}`,
      ms,
      old.id,
      old.userId,
      input.targetEventId,
      old.price,
      old.currency,
    );
    const inserted = batch.sql<{ id: number }>(
      `INSERT INTO bookings (event_id, user_id, status, booked_at, currency, is_paid, payment_provider, payment_id,
         amount_due, amount_paid, ${POLICY_SNAPSHOT_COLUMNS}, check_in_code, transferred_from, updated_at)
       SELECT e.id, o.user_id, 'confirmed', ?1, o.currency, o.is_paid, o.payment_provider, o.payment_id, o.amount_due,
         o.amount_paid, ${policySnapshotValues('e')}, ${NEW_CHECK_IN_CODE_SQL}, o.id, ?1
       FROM bookings o JOIN events e ON e.id = ?2
       WHERE o.id = ?3 AND changes() = 1
       RETURNING id`,
      ms,
      input.targetEventId,
      old.id,
    );
    bookingMessages(batch, 'booking.transferred', {
      where: 'changes() = 1 AND b.id = last_insert_rowid()',
      occurredAt: now,
      extra: { transferred_from: old.id },
    });
    recountSeats(batch, input.targetEventId);
    recountSeats(batch, old.eventId);
    promoteNextWaitlisted(batch, old.eventId, now, input.rules);
    const result = await commit(batch, crm).catch(refusalFromConstraint);
    const id = result.rows(inserted)[0]?.id;
    if (id !== undefined) return bookingJsonById(db, id, 'owner');
    // Nothing moved: read again, so the rule that refused answers (a full target is event_full on the second pass).
    const active = await db.$client
      .prepare(`SELECT 1 AS held FROM bookings WHERE user_id = ? AND event_id = ? AND status IN ${ACTIVE_BOOKING_STATUSES_SQL}`)
      .bind(old.userId, input.targetEventId)
      .first();
    if (active) throw new ApiError('already_booked', 'You already have a booking for the event to move to');
  }
  throw new ApiError('event_full', 'The event to move to is fully booked');
}
