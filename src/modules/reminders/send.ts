import { Batch } from '../../db/batch';
import type { Database } from '../../env';
import { positiveIntList } from '../../lib/settings';
import { bookingMessages, commit } from '../crm/outbox';

const HOUR = 3_600_000;
export const DEFAULT_REMINDER_HOURS = [24, 2];
const CHUNK = 500;
const MAX_CHUNKS_PER_OFFSET = 10;

/** REMINDER_HOURS, largest first (e.g. [24, 2]). */
export function reminderHours(env: Pick<Env, 'REMINDER_HOURS'>): number[] {
  return positiveIntList(env.REMINDER_HOURS, DEFAULT_REMINDER_HOURS);
}

/**
 * The confirmed bookings owed the reminder `hours` before their event's start: the event is scheduled, starts after
 * now and no later than `hours` from now, but not within the next smaller offset (a run that comes late sends only
 * the reminder that still makes sense); the offset had not passed when the booking was made; and this reminder was not
 * sent. Parameters: now, now + hours, now + next smaller offset, hours (four binds).
 */
const DUE = `b.id IN (SELECT rb.id FROM events re JOIN bookings rb ON rb.event_id = re.id
  WHERE re.starts_at > ? AND re.starts_at <= ? AND re.starts_at > ? AND re.status = 'scheduled' AND rb.status = 'confirmed'
    AND rb.booked_at <= re.starts_at - ? * ${HOUR}
    AND NOT EXISTS (SELECT 1 FROM booking_reminders r WHERE r.booking_id = rb.id AND r.offset_hours = ?)
  ORDER BY rb.id LIMIT ${CHUNK})`;

/**
 * Cron: `booking.reminder` CRM messages (with `reminder_hours`), each at most once per booking and offset: the message
 * and the row in booking_reminders that records it are written in one batch over the same selection, and the
 * selection leaves out bookings that have the row.
 */
export async function sendReminders(db: Database, crm: Queue, offsets: number[], now: Date): Promise<number> {
  const ascending = [...offsets].sort((a, b) => a - b);
  let sent = 0;
  for (const [i, hours] of ascending.entries()) {
    const smaller = i === 0 ? 0 : ascending[i - 1]!;
    const params = [now.getTime(), now.getTime() + hours * HOUR, now.getTime() + smaller * HOUR, hours, hours];
    for (let chunk = 0; chunk < MAX_CHUNKS_PER_OFFSET; chunk++) {
      const batch = new Batch(db.$client);
      bookingMessages(batch, 'booking.reminder', { where: DUE, params, occurredAt: now, extra: { reminder_hours: hours } });
      const recorded = batch.sql(
        `INSERT INTO booking_reminders (booking_id, offset_hours, sent_at)
         SELECT b.id, ?, ? FROM bookings b WHERE ${DUE}
         ON CONFLICT DO NOTHING`,
        hours,
        now.getTime(),
        ...params,
      );
      const count = (await commit(batch, crm)).changes(recorded);
      sent += count;
      if (count < CHUNK) break;
    }
  }
  return sent;
}
