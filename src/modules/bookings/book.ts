import { Batch } from '../../db/batch';
import type { Database } from '../../env';
import { commit } from '../crm/outbox';
import { releaseExpiredHolds } from './cancel';
import { linkIdempotencyKey } from './idempotency';
import { bookingJson, findBooking } from './read-model';
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
 * POST /book: a seat of a free event (or a waitlist place) in one atomic batch: expired holds released, the
 * conditional insert with its `booking.created` message and the seat recount, then the waitlist insert if asked.
 */
export async function bookSeat(db: Database, crm: Queue, input: BookSeatInput) {
  const id = await takeSeatWithRetries(db, { ...input, paid: false }, async (now) => {
    const batch = new Batch(db.$client);
    releaseExpiredHolds(batch, input.eventId, now, input.rules);
    const seat = takeSeat(batch, input, { status: 'confirmed', memberPassId: input.memberPassId }, now, { notify: true });
    const place = input.waitlist ? takeSeat(batch, input, { status: 'waitlisted' }, now, { notify: true }) : null;
    if (input.idempotencyKey) linkIdempotencyKey(batch, { ...input, key: input.idempotencyKey }, now);
    const result = await commit(batch, crm);
    return result.rows(seat)[0]?.id ?? (place ? result.rows(place)[0]?.id : undefined);
  });
  const booking = await findBooking(db, id);
  if (!booking) throw new Error(`booking ${id} vanished after insert`);
  return bookingJson(booking, 'owner');
}
