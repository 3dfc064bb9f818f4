import type { Batch } from '../../db/batch';
import { wholeNumber } from '../../lib/settings';
import { bookingMessages, isoSql } from '../crm/outbox';
import { recountSeats } from './seats';

const MINUTE = 60_000;

/**
 * How a freed seat reaches the waitlist. A free event confirms the earliest waitlisted booking at once (`booking.promoted`);
 * a paid one offers it the seat (`offered`, `booking.offered`) until `offer_expires_at` = now + WAITLIST_OFFER_HOURS,
 * never later than the start, for its user to claim and pay. Neither happens within WAITLIST_CUTOFF_MINUTES of the start.
 */
export interface WaitlistRules {
  offerHours: number;
  cutoffMinutes: number;
}

export const DEFAULT_WAITLIST_RULES: WaitlistRules = { offerHours: 12, cutoffMinutes: 60 };

export function waitlistRules(env: Pick<Env, 'WAITLIST_OFFER_HOURS' | 'WAITLIST_CUTOFF_MINUTES'>): WaitlistRules {
  return {
    offerHours: wholeNumber(env.WAITLIST_OFFER_HOURS, DEFAULT_WAITLIST_RULES.offerHours, 24 * 30) || 1,
    cutoffMinutes: wholeNumber(env.WAITLIST_CUTOFF_MINUTES, DEFAULT_WAITLIST_RULES.cutoffMinutes, 24 * 60 * 30),
  };
}

/** The earliest waitlisted booking of the event ?1 (by booked_at, then id): the next one to get a seat. */
const NEXT_WAITLISTED = `(SELECT id FROM bookings WHERE event_id = ?1 AND status = 'waitlisted' ORDER BY booked_at, id LIMIT 1)`;
/** The event ?1 is scheduled, has a seat free and is more than the cut-off (?2 = now + cut-off) from its start. */
const SEAT_OPEN = `EXISTS (SELECT 1 FROM events s WHERE s.id = ?1 AND s.status = 'scheduled' AND s.starts_at > ?2
  AND (s.capacity IS NULL OR s.booked_count < s.capacity))`;

/**
 * Gives a free seat to the earliest waitlisted booking: confirmed on a free event, offered on a paid one, with its
 * message. Add it to a batch after a `recountSeats`; the messages and the update test the same condition on the same
 * state, so a message is written exactly when the change happens. Repeat it to fill several seats.
 */
export function promoteNextWaitlisted(batch: Batch, eventId: number, now: Date, rules: WaitlistRules) {
  const ms = now.getTime();
  const params = [eventId, ms + rules.cutoffMinutes * MINUTE];
  const offerEnds = `min(${ms + rules.offerHours * 60 * MINUTE}, e.starts_at)`;
  const promoted = `b.id = ${NEXT_WAITLISTED} AND ${SEAT_OPEN}`;
  bookingMessages(batch, 'booking.promoted', {
    where: `${promoted} AND e.price = 0`,
    params,
    occurredAt: now,
    bookingStatus: 'confirmed',
  });
  bookingMessages(batch, 'booking.offered', {
    where: `${promoted} AND e.price > 0`,
    params,
    occurredAt: now,
    bookingStatus: 'offered',
    extraJson: { offer_expires_at: `json_quote(${isoSql(offerEnds)})` },
  });
  batch.sql(
    `UPDATE bookings SET promoted_at = ?3, updated_at = ?3,
       status = CASE WHEN e.price = 0 THEN 'confirmed' ELSE 'offered' END,
       offer_expires_at = CASE WHEN e.price = 0 THEN NULL ELSE ${offerEnds} END
     FROM events e
     WHERE e.id = bookings.event_id AND bookings.id = ${NEXT_WAITLISTED} AND ${SEAT_OPEN}`,
    ...params,
    ms,
  );
  recountSeats(batch, eventId);
}
