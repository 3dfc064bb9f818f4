import { Batch } from '../../db/batch';
import { ACTIVE_BOOKING_STATUSES_SQL } from '../../db/statuses';
import type { Database } from '../../env';
import { commit } from '../crm/outbox';
import { releaseExpiredHolds } from './cancel';
import { linkIdempotencyKey } from './idempotency';
import { bookingJson, bookingsQuery, readBooking } from './read-model';
import { takeSeat, takeSeatWithRetries, type SeatRequest } from './take-seat';
import type { WaitlistRules } from './waitlist';

export interface BookSeatInput extends SeatRequest {
  /** Join the waitlist when the event is full, instead of 409 event_full. */
  waitlist: boolean;
  /** The request's claimed Idempotency-Key: the new booking is linked to it in the same batch (see idempotency.ts). */
  idempotencyKey?: string;
  /** Where seats freed by expired holds go first (the queue before a newcomer). */
  rules: WaitlistRules;
  /** Pay a paid event's seat with one credit of this member pass (the caller's). */
  memberPassId?: number;
}

/**
 * POST /book: a seat of a free event (or a waitlist place) in one atomic batch: the conditional insert with its
 * `booking.created` message and the seat recount, the waitlist insert if asked, and the new booking read back with its
 * event; then the message goes to the queue. Expired holds and offers are released in the batch only when they hold
 * the seats the event lacks (see SeatAttempt), and always for a waitlist request (a freed seat goes to the queue first).
 */
export async function bookSeat(db: Database, crm: Queue, input: BookSeatInput) {
  const row = await takeSeatWithRetries(db, { ...input, paid: false }, async (now, attempt) => {
    const batch = new Batch(db.$client);
    if (attempt.release || input.waitlist) releaseExpiredHolds(batch, input.eventId, now, input.rules);
    const seat = takeSeat(batch, input, { status: 'confirmed', memberPassId: input.memberPassId }, now, { notify: true });
    const place = input.waitlist ? takeSeat(batch, input, { status: 'waitlisted' }, now, { notify: true }) : null;
    if (input.idempotencyKey) linkIdempotencyKey(batch, { ...input, key: input.idempotencyKey }, now);
    // The user's one active booking of the event (bookings_one_active_per_user_event), read after the recount.
    const query = bookingsQuery({
      where: `b.user_id = ? AND b.event_id = ? AND b.status IN ${ACTIVE_BOOKING_STATUSES_SQL}`,
      params: [input.userId, input.eventId],
    });
    const active = batch.sql(query.sql, ...query.params);
    const result = await commit(batch, crm);
    // Taken only if this batch inserted it (RETURNING), not because the user already held one.
    const id = result.rows(seat)[0]?.id ?? (place ? result.rows(place)[0]?.id : undefined);
    if (id === undefined) return undefined;
    const row = result.rows(active)[0];
    if (row?.b_id !== id) throw new Error(`booking ${id} is not the user's active booking of event ${input.eventId}`);
    return row;
  });
  return bookingJson(readBooking(row), 'owner');
}
