import { eq } from 'drizzle-orm';
import { Batch } from '../../db/batch';
import { bookings, events } from '../../db/schema';
import type { CurrentUser, Database } from '../../env';
import { ApiError } from '../../http/errors';
import { CHECK_IN_CODE_PATTERN } from '../bookings/check-in-code';
import { bookingJsonById } from '../bookings/read-model';
import { bookingMessages, commit } from '../crm/outbox';
import { assertCanManageEvent } from '../events/access';
import { ATTENDANCE_GRACE_MS } from './settings';

const MINUTE = 60_000;

export type CheckInTarget = { code: string } | { bookingId: number };

async function loadTarget(db: Database, target: CheckInTarget) {
  if ('code' in target && !CHECK_IN_CODE_PATTERN.test(target.code)) return undefined;
  const [row] = await db
    .select({
      id: bookings.id,
      status: bookings.status,
      attendance: bookings.attendance,
      facilitatorId: events.facilitatorId,
      startsAt: events.startsAt,
      endsAt: events.endsAt,
    })
    .from(bookings)
    .innerJoin(events, eq(events.id, bookings.eventId))
    .where('code' in target ? eq(bookings.checkInCode, target.code) : eq(bookings.id, target.bookingId));
  return row;
}

type Target = NonNullable<Awaited<ReturnType<typeof loadTarget>>>;

/** When the door is open for an event: from `opensMinutes` before its start until 12 hours after its end (inclusive). */
export function checkInWindow(event: { startsAt: Date; endsAt: Date }, opensMinutes: number) {
  return {
    opensAt: new Date(event.startsAt.getTime() - opensMinutes * MINUTE),
    closesAt: new Date(event.endsAt.getTime() + ATTENDANCE_GRACE_MS),
  };
}

/** The contract's 409s, in order: not confirmed, already checked in, outside the window. */
function assertCheckable(row: Target, opensMinutes: number, now: Date) {
  if (row.status !== 'confirmed') {
    throw new ApiError('booking_not_confirmed', `Only a confirmed booking can be checked in (this one is ${row.status})`);
  }
  if (row.attendance === 'attended') throw new ApiError('already_checked_in', 'This booking is already checked in');
  const { opensAt, closesAt } = checkInWindow(row, opensMinutes);
  if (now < opensAt || now > closesAt) {
    throw new ApiError(
      'check_in_closed',
      `Check-in for this event is open from ${opensAt.toISOString()} until ${closesAt.toISOString()}`,
    );
  }
}

/**
 * POST /check-in by an admin or the event's facilitator. One conditional UPDATE decides (confirmed, not yet checked
 * in, inside the window), so of two scans at once exactly one succeeds; its `booking.checked_in` message is written in
 * the same batch only if that UPDATE changed the row. The answer shows the check-in code to admins only.
 */
export async function checkIn(
  db: Database,
  crm: Queue,
  input: { actor: CurrentUser; target: CheckInTarget; opensMinutes: number },
) {
  let row = await loadTarget(db, input.target);
  if (!row) throw new ApiError('not_found', 'code' in input.target ? 'No booking has this check-in code' : 'Booking not found');
  await assertCanManageEvent(db, input.actor, row);
  for (let attempt = 1; attempt <= 2 && row; attempt++) {
    const now = new Date();
    assertCheckable(row, input.opensMinutes, now);
    const batch = new Batch(db.$client);
    const marked = batch.sql(
      `UPDATE bookings SET attendance = 'attended', attended_at = ?1, checked_in_by = ?2, updated_at = ?1
       WHERE id = ?3 AND status = 'confirmed' AND attendance IS NULL
         AND EXISTS (SELECT 1 FROM events e WHERE e.id = bookings.event_id AND e.status <> 'cancelled'
           AND e.starts_at - ?4 <= ?1 AND ?1 <= e.ends_at + ?5)`,
      now.getTime(),
      input.actor.id,
      row.id,
      input.opensMinutes * MINUTE,
      ATTENDANCE_GRACE_MS,
    );
    bookingMessages(batch, 'booking.checked_in', {
      where: 'changes() = 1 AND b.id = ?',
      params: [row.id],
      occurredAt: now,
      extra: { attended_at: now.toISOString() },
    });
    const result = await commit(batch, crm);
    if (result.changes(marked) === 1) return bookingJsonById(db, row.id, input.actor.role === 'admin' ? 'owner' : 'staff');
    // Someone else's scan (or a cancel) got there first: the fresh row says which rule now refuses.
    row = await loadTarget(db, { bookingId: row.id });
  }
  throw new ApiError('already_checked_in', 'This booking is already checked in');
}
