import { Batch } from '../../db/batch';
import type { Database } from '../../env';
import { commit, eventMessages } from '../crm/outbox';
import { eventCancellationCascade, type EventSelection } from '../events/cascade';

const HOUR = 3_600_000;
/** decision_hours_before is at most 720: no decision is due for an event further away than this. */
const LONGEST_DECISION_MS = 720 * HOUR;
const EVENTS_PER_RUN = 50;

const CONFIRMED_COUNT = `(SELECT count(*) FROM bookings cb WHERE cb.event_id = e.id AND cb.status = 'confirmed')`;

/** The event ?1, still undecided, scheduled and not started at ?2, whose confirmed bookings are short of (or meet) its minimum. */
const undecided = (eventId: number, now: Date, comparison: '<' | '>='): EventSelection => ({
  where: `e.id = ? AND e.go_decision = 'pending' AND e.status = 'scheduled' AND e.starts_at > ?
    AND ${CONFIRMED_COUNT} ${comparison} e.min_attendees`,
  params: [eventId, now.getTime()],
});

/**
 * Cron: the minimum-attendance decision of every event whose decision time (`decision_hours_before` its start) has
 * come and that has not started. One batch per event holds both outcomes, each conditional on the decision still
 * being pending, so a decision is made once even when runs overlap:
 * - fewer confirmed bookings than `min_attendees`: the event is cancelled (reason `min_attendance_not_met`): its
 *   `event.cancelled` message, every booking cancelled with its `booking.cancelled`, seats reset, `go_decision:
 *   "cancelled"`. Paid bookings are refunded in full by the refunds cron (their refund_amount is the amount paid).
 * - enough: `go_decision: "confirmed"` and an `event.confirmed` message.
 * An event that started before any run decided keeps `pending` (there is nothing left to decide).
 */
export async function decideMinimumAttendance(db: Database, crm: Queue, now: Date) {
  const { results: due } = await db.$client
    .prepare(
      `SELECT id FROM events
       WHERE go_decision = 'pending' AND starts_at > ?1 AND starts_at <= ?2 AND status = 'scheduled'
         AND starts_at - decision_hours_before * ${HOUR} <= ?1
       ORDER BY starts_at LIMIT ${EVENTS_PER_RUN}`,
    )
    .bind(now.getTime(), now.getTime() + LONGEST_DECISION_MS)
    .all<{ id: number }>();
  const decided = { cancelled: 0, confirmed: 0 };
  for (const { id } of due) {
    const short = undecided(id, now, '<');
    const enough = undecided(id, now, '>=');
    const batch = new Batch(db.$client);
    eventCancellationCascade(batch, short, now, 'min_attendance_not_met');
    const cancelled = batch.sql(
      `UPDATE events SET status = 'cancelled', cancelled_at = ?, go_decision = 'cancelled', updated_at = ?, sequence = sequence + 1
       WHERE id IN (SELECT e.id FROM events e WHERE ${short.where})`,
      now.getTime(),
      now.getTime(),
      ...short.params,
    );
    eventMessages(batch, 'event.confirmed', { ...enough, occurredAt: now });
    const confirmed = batch.sql(
      `UPDATE events SET go_decision = 'confirmed', updated_at = ? WHERE id IN (SELECT e.id FROM events e WHERE ${enough.where})`,
      now.getTime(),
      ...enough.params,
    );
    const result = await commit(batch, crm);
    decided.cancelled += result.changes(cancelled);
    decided.confirmed += result.changes(confirmed);
  }
  return decided;
}
