import type { Batch } from '../../db/batch';
import type { EventRow } from '../../db/schema';
import { ACTIVE_BOOKING_STATUSES_SQL } from '../../db/statuses';
import { cancelBookings } from '../bookings/cancel';
import { promoteNextWaitlisted, type WaitlistRules } from '../bookings/waitlist';
import { eventMessages } from '../crm/outbox';

/**
 * What an event change does to its bookings, as steps of the event's own batch, so the change, the bookings and
 * the CRM messages commit together. Rows are never deleted.
 */

/** Which events a cascade is about: an SQL condition on `e` (events), with `?` placeholders. */
export interface EventSelection {
  where: string;
  params: unknown[];
}

export const oneEvent = (eventId: number): EventSelection => ({ where: 'e.id = ?', params: [eventId] });

/**
 * Cancelling events (one, or a series' upcoming occurrences): per event not yet cancelled one `event.cancelled` message
 * listing its active bookings, then every active booking cancelled (reason `event_cancelled`) with its own
 * `booking.cancelled` message, and the seat counts reset (the message's and the bookings' reason: `event_cancelled`, or
 * `min_attendance_not_met` when the cron calls a class off). A fixed number of statements whatever the number of events.
 * Add these BEFORE the events' status update: they read the bookings and the status it changes.
 * Paid bookings are refunded by the payments cron (cancelled, paid, no refund recorded).
 */
export function eventCancellationCascade(
  batch: Batch,
  events: EventSelection,
  now: Date,
  reason: 'event_cancelled' | 'min_attendance_not_met' = 'event_cancelled',
) {
  eventMessages(batch, 'event.cancelled', {
    where: `(${events.where}) AND e.status <> 'cancelled'`,
    params: events.params,
    occurredAt: now,
    reason,
  });
  cancelBookings(batch, {
    where: `(${events.where}) AND b.status IN ${ACTIVE_BOOKING_STATUSES_SQL}`,
    params: events.params,
    seats: events,
    reason,
    now,
    notify: true,
  });
}

type EventPlaceAndTime = Pick<EventRow, 'startsAt' | 'location' | 'latitude' | 'longitude'>;

/** A new start or a new place is what the CRM hears of as `event.rescheduled`. */
export function isRescheduled(before: EventPlaceAndTime, after: EventPlaceAndTime): boolean {
  return (
    before.startsAt.getTime() !== after.startsAt.getTime() ||
    before.location !== after.location ||
    before.latitude !== after.latitude ||
    before.longitude !== after.longitude
  );
}

/** `event.rescheduled` with the ids of the active bookings; add it AFTER the event's update (it shows the new date). */
export function eventRescheduledMessage(batch: Batch, events: EventSelection, now: Date) {
  eventMessages(batch, 'event.rescheduled', { ...events, occurredAt: now });
}

/** At most this many waitlisted bookings are promoted by one capacity change (each is three statements). */
const MAX_PROMOTIONS_PER_UPDATE = 20;

/**
 * More seats (a higher capacity, or none) go to the waitlist in order, in the same batch as the capacity change.
 * Add these AFTER the event's update.
 */
export function fillFreedSeats(
  batch: Batch,
  eventId: number,
  seats: { before: number | null; after: number | null },
  now: Date,
  rules: WaitlistRules,
) {
  const { before, after } = seats;
  const gained = after === null ? (before === null ? 0 : MAX_PROMOTIONS_PER_UPDATE) : after - (before ?? after);
  const count = Math.min(Math.max(gained, 0), MAX_PROMOTIONS_PER_UPDATE);
  for (let i = 0; i < count; i++) promoteNextWaitlisted(batch, eventId, now, rules);
}
