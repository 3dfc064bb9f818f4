import { Batch } from '../../db/batch';
import type { Database } from '../../env';
import { bookingMessages, commit } from '../crm/outbox';
import { ATTENDANCE_GRACE_MS } from './settings';

/**
 * How far back the cron looks for ended events. Bookings of events that ended before attendance was tracked are not
 * marked; a cron that stops for longer than this leaves the older ones unmarked (null, "unknown").
 */
export const NO_SHOW_LOOKBACK_MS = 7 * 24 * 3_600_000;
const CHUNK = 500;
const MAX_CHUNKS_PER_RUN = 10;

/**
 * Confirmed bookings never checked in, of events that ended more than 12 hours ago (the check-in window closed), in
 * booking-id order, at most `CHUNK`: the same selection for the message and the update of one batch.
 */
const DUE = `b.id IN (SELECT nb.id FROM events ne JOIN bookings nb ON nb.event_id = ne.id
  WHERE ne.ends_at >= ? AND ne.ends_at < ? AND ne.status <> 'cancelled' AND nb.status = 'confirmed' AND nb.attendance IS NULL
  ORDER BY nb.id LIMIT ${CHUNK})`;

/**
 * Cron: marks no-shows (`attendance: "no_show"`) with a `booking.no_show` message each, in the same batch. Once per
 * booking: the update only touches rows whose attendance is still null, and the message selects the same rows first.
 */
export async function markNoShows(db: Database, crm: Queue, now: Date): Promise<number> {
  const closedBefore = now.getTime() - ATTENDANCE_GRACE_MS;
  const params = [closedBefore - NO_SHOW_LOOKBACK_MS, closedBefore];
  let marked = 0;
  for (let chunk = 0; chunk < MAX_CHUNKS_PER_RUN; chunk++) {
    const batch = new Batch(db.$client);
    bookingMessages(batch, 'booking.no_show', { where: DUE, params, occurredAt: now });
    const updated = batch.sql(
      `UPDATE bookings SET attendance = 'no_show', updated_at = ? WHERE id IN (SELECT b.id FROM bookings b WHERE ${DUE})`,
      now.getTime(),
      ...params,
    );
    const changed = (await commit(batch, crm)).changes(updated);
    marked += changed;
    if (changed < CHUNK) break;
  }
  return marked;
}
