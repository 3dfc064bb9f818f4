import { and, eq, inArray } from 'drizzle-orm';
import { bookings, events } from '../../db/schema';
import { isCheckViolation, isUniqueViolation } from '../../db/errors';
import type { Database } from '../../env';
import { ApiError, conflict, notFound } from '../../http/errors';
import { ACTIVE_BOOKING_STATUSES_SQL, bookingMessages, runWithOutbox } from '../crm/outbox';
import { bookingJson, findBooking } from './read-model';
import { assertUnderBookingLimit, underBookingLimitSql } from './limit';
import { recountSeats, releaseExpiredHolds } from './seats';

export interface BookSeatInput {
  userId: number;
  eventId: number;
  /** Join the waitlist when the event is full, instead of 409 event_full. */
  waitlist: boolean;
  /** MAX_ACTIVE_BOOKINGS_PER_USER: active bookings on upcoming events the user may hold (booking-limit.ts). */
  maxActiveBookings: number;
  /** The request's claimed Idempotency-Key: the new booking is linked to it in the same batch (see idempotency.ts). */
  idempotencyKey?: string;
}

/**
 * Links the booking this batch created (the user's active booking on the event, booked at this batch's `now`) to the
 * claimed Idempotency-Key, so an answer lost after the commit can be rebuilt for the retry instead of a 409.
 */
function linkIdempotencyKey(d1: D1Database, input: BookSeatInput, now: number) {
  return d1
    .prepare(
      `UPDATE idempotency_keys SET booking_id = (SELECT id FROM bookings WHERE user_id = ?1 AND event_id = ?2
         AND booked_at = ?3 AND status IN ('confirmed', 'waitlisted'))
       WHERE user_id = ?1 AND key = ?4 AND booking_id IS NULL`,
    )
    .bind(input.userId, input.eventId, now, input.idempotencyKey ?? null);
}

const SEAT_FREE = '(e.capacity IS NULL OR e.booked_count < e.capacity)';
const EVENT_FULL = '(e.capacity IS NOT NULL AND e.booked_count >= e.capacity)';

/**
 * The seat check and the insert in one statement: the row is inserted only if the event is bookable, free, has a
 * seat (or, for the waitlist, has none), the user holds no active booking on it and is under the per-user limit.
 * The partial unique index bookings_one_active_per_user_event and the booked_count CHECK stay as the last line of
 * defence.
 */
function insertBooking(d1: D1Database, input: BookSeatInput, status: 'confirmed' | 'waitlisted', now: number) {
  return d1
    .prepare(
      `INSERT INTO bookings (event_id, user_id, status, booked_at, currency, updated_at)
       SELECT e.id, ?2, ?3, ?4, e.currency, ?4 FROM events e
       WHERE e.id = ?1 AND e.status = 'scheduled' AND e.starts_at > ?4 AND e.price = 0
         AND ${status === 'confirmed' ? SEAT_FREE : EVENT_FULL}
         AND NOT EXISTS (SELECT 1 FROM bookings o WHERE o.user_id = ?2 AND o.event_id = ?1
           AND o.status IN ${ACTIVE_BOOKING_STATUSES_SQL})
         AND ${underBookingLimitSql({ user: '?2', now: '?4', limit: '?5' })}
       RETURNING id`,
    )
    .bind(input.eventId, input.userId, status, now, input.maxActiveBookings);
}

/** The message of the row inserted by the statement just before it, and only if that statement inserted one. */
function createdMessage(d1: D1Database, now: Date) {
  return bookingMessages(d1, 'booking.created', {
    where: 'changes() = 1 AND b.id = last_insert_rowid()',
    occurredAt: now,
  });
}

const ATTEMPTS = 3;

/**
 * Books a seat (or a waitlist place) in one atomic batch: insert, its `booking.created` outbox row and the seat
 * recount. When nothing was inserted, a read of the event says why; if the reason vanished in between (a seat freed
 * up), the batch is tried again.
 */
export async function bookSeat(db: Database, input: BookSeatInput) {
  const d1 = db.$client;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const now = new Date();
    const statements = [
      releaseExpiredHolds(d1, input.eventId, now),
      recountSeats(d1, input.eventId),
      insertBooking(d1, input, 'confirmed', now.getTime()),
      createdMessage(d1, now),
      recountSeats(d1, input.eventId),
    ];
    if (input.waitlist) statements.push(insertBooking(d1, input, 'waitlisted', now.getTime()), createdMessage(d1, now));
    if (input.idempotencyKey) statements.push(linkIdempotencyKey(d1, input, now.getTime()));
    const { results, messages } = await runWithOutbox(d1, statements).catch(refusalFromConstraint);
    const id = (results[2]?.results[0]?.id ?? results[5]?.results[0]?.id) as number | undefined;
    if (id !== undefined) {
      const booking = await findBooking(db, id);
      if (!booking) throw new Error(`booking ${id} vanished after insert`);
      return { booking: bookingJson(booking), messages };
    }
    await explainRefusal(db, input, now);
  }
  throw conflict('event_full', 'The event is fully booked');
}

export function refusalFromConstraint(error: unknown): never {
  if (isUniqueViolation(error)) throw conflict('already_booked', 'You already have a booking for this event');
  if (isCheckViolation(error)) throw conflict('event_full', 'The event is fully booked');
  throw error;
}

/**
 * Throws the error that explains why a conditional insert did not happen; returns if none applies any more.
 * `paid` is the payment flow (/create-payment), where a free event is the mistake instead of a paid one.
 */
export async function explainRefusal(db: Database, input: BookSeatInput & { paid?: boolean }, now: Date): Promise<void> {
  const [event, active] = await db.batch([
    db
      .select({
        status: events.status,
        startsAt: events.startsAt,
        price: events.price,
        capacity: events.capacity,
        bookedCount: events.bookedCount,
      })
      .from(events)
      .where(eq(events.id, input.eventId)),
    db
      .select({ id: bookings.id })
      .from(bookings)
      .where(
        and(
          eq(bookings.userId, input.userId),
          eq(bookings.eventId, input.eventId),
          inArray(bookings.status, ['confirmed', 'waitlisted', 'pending_payment']),
        ),
      ),
  ]);
  const found = event[0];
  if (!found) throw notFound('Event not found');
  if (found.status !== 'scheduled' || found.startsAt.getTime() <= now.getTime()) {
    throw conflict(
      'event_not_bookable',
      `This event cannot be booked (it is ${found.status === 'scheduled' ? 'already under way or over' : found.status})`,
    );
  }
  if (active.length > 0) throw conflict('already_booked', 'You already have a booking for this event');
  await assertUnderBookingLimit(db, input.userId, input.maxActiveBookings, now);
  if (found.price > 0 && !input.paid) {
    throw new ApiError(402, 'payment_required', 'This event is paid: book it through POST /create-payment');
  }
  if (found.price === 0 && input.paid) {
    throw conflict('payment_not_required', 'This event is free: book it through POST /book');
  }
  const full = found.capacity !== null && found.bookedCount >= found.capacity;
  if (full && !input.waitlist)
    throw conflict('event_full', 'The event is fully booked; send waitlist: true to join the waitlist');
}
