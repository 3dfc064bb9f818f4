import { Batch } from '../../db/batch';
import type { CurrentUser, Database } from '../../env';
import { ApiError } from '../../http/errors';
import { CHECK_IN_CODE_PATTERN } from '../bookings/check-in-code';
import { bookingJson, bookingsQuery, readBooking } from '../bookings/read-model';
import { bookingMessages, commit } from '../crm/outbox';
import { ATTENDANCE_GRACE_MS } from './settings';

const MINUTE = 60_000;

export type CheckInTarget = { code: string } | { bookingId: number };

/** When the door is open for an event: from `opensMinutes` before its start until 12 hours after its end (inclusive). */
export function checkInWindow(event: { startsAt: Date; endsAt: Date }, opensMinutes: number) {
  return {
    opensAt: new Date(event.startsAt.getTime() - opensMinutes * MINUTE),
    closesAt: new Date(event.endsAt.getTime() + ATTENDANCE_GRACE_MS),
  };
}

/** The contract's 409s, in order: not confirmed, already checked in, outside the window. */
function assertCheckable(
  row: { status: string; attendance: string | null; startsAt: Date; endsAt: Date },
  opensMinutes: number,
  now: Date,
) {
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
 * POST /check-in by an admin or the event's facilitator, in one batch: a conditional UPDATE decides (the caller may
 * manage the event; the booking is confirmed, not yet checked in, inside the window), so of two scans at once exactly
 * one succeeds; its `booking.checked_in` message is written only if that UPDATE changed the row; the booking is read
 * back with its event. Only a refusal is explained from what the batch read (404, 403, then the 409s). The answer shows
 * the check-in code to admins only.
 */
export async function checkIn(
  db: Database,
  crm: Queue,
  input: { actor: CurrentUser; target: CheckInTarget; opensMinutes: number },
) {
  const notFound = () =>
    new ApiError('not_found', 'code' in input.target ? 'No booking has this check-in code' : 'Booking not found');
  if ('code' in input.target && !CHECK_IN_CODE_PATTERN.test(input.target.code)) throw notFound();
  const target =
    'code' in input.target
      ? { where: 'check_in_code = ?', value: input.target.code }
      : { where: 'id = ?', value: input.target.bookingId };
  // Admins manage every event; a facilitator the events of the facilitator record linked to its account.
  const manages = `(?4 = 'admin' OR EXISTS (SELECT 1 FROM facilitators m WHERE m.id = e.facilitator_id AND m.user_id = ?3))`;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const now = new Date();
    const batch = new Batch(db.$client);
    const marked = batch.sql(
      `UPDATE bookings SET attendance = 'attended', attended_at = ?1, checked_in_by = ?3, updated_at = ?1
       WHERE ${target.where.replace('?', '?2')} AND status = 'confirmed' AND attendance IS NULL
         AND EXISTS (SELECT 1 FROM events e WHERE e.id = bookings.event_id AND e.status <> 'cancelled'
           AND e.starts_at - ?5 <= ?1 AND ?1 <= e.ends_at + ?6 AND ${manages})`,
      now.getTime(),
      target.value,
      input.actor.id,
      input.actor.role,
      input.opensMinutes * MINUTE,
      ATTENDANCE_GRACE_MS,
    );
    bookingMessages(batch, 'booking.checked_in', {
      where: `changes() = 1 AND b.${target.where}`,
      params: [target.value],
      occurredAt: now,
      extra: { attended_at: now.toISOString() },
    });
    const query = bookingsQuery({ where: `b.${target.where}`, params: [target.value] });
    const booked = batch.sql(query.sql, ...query.params);
    const allowed = batch.sql<{ manages: number }>(
      `SELECT ${manages} AS manages FROM bookings b JOIN events e ON e.id = b.event_id WHERE b.${target.where.replace('?', '?2')}`,
      null,
      target.value,
      input.actor.id,
      input.actor.role,
    );
    const result = await commit(batch, crm);
    const row = result.rows(booked)[0];
    if (!row) throw notFound();
    const found = readBooking(row);
    if (result.changes(marked) === 1) return bookingJson(found, input.actor.role === 'admin' ? 'owner' : 'staff');
    if (!result.rows(allowed)[0]?.manages)
      throw new ApiError('forbidden', 'Only an admin or the event’s facilitator can do this');
    // Refused: the row as the batch saw it says which rule (or someone else's scan, or a cancel, got there first).
    assertCheckable({ ...found.booking, startsAt: found.event.startsAt, endsAt: found.event.endsAt }, input.opensMinutes, now);
  }
  throw new ApiError('already_checked_in', 'This booking is already checked in');
}
