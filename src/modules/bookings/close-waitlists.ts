import { Batch } from '../../db/batch';
import type { Database } from '../../env';
import { commit } from '../crm/outbox';
import { cancelBookings } from './cancel';

const EVENTS_PER_RUN = 100;

/**
 * Cron: at the start of an event its waitlist is closed: every booking still `waitlisted` is cancelled (reason
 * `waitlist_closed`, with its `booking.cancelled`), one batch per event, once (the cancel touches only waitlisted rows).
 */
export async function closeWaitlists(db: Database, crm: Queue, now: Date): Promise<number> {
  const { results } = await db.$client
    .prepare(
      `SELECT DISTINCT b.event_id AS id FROM bookings b JOIN events e ON e.id = b.event_id
       WHERE b.status = 'waitlisted' AND e.starts_at <= ? LIMIT ${EVENTS_PER_RUN}`,
    )
    .bind(now.getTime())
    .all<{ id: number }>();
  let closed = 0;
  for (const { id } of results) {
    const batch = new Batch(db.$client);
    const cancelled = cancelBookings(batch, {
      where: `b.event_id = ? AND b.status = 'waitlisted' AND e.starts_at <= ?`,
      params: [id, now.getTime()],
      seats: id,
      reason: 'waitlist_closed',
      now,
      notify: true,
    });
    closed += (await commit(batch, crm)).rows(cancelled).length;
  }
  return closed;
}
