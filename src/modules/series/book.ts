import { Batch } from '../../db/batch';
import type { Database } from '../../env';
import { assertTokenCurrent, currentTokenSql } from '../../http/auth';
import { ApiError } from '../../http/errors';
import { activeUpcomingCount } from '../bookings/limit';
import { NEW_CHECK_IN_CODE_SQL } from '../bookings/check-in-code';
import { POLICY_SNAPSHOT_COLUMNS, policySnapshotValues } from '../bookings/policy';
import { bookingJson, bookingsQuery, readBooking } from '../bookings/read-model';
import { holdsActiveBooking, isFull, recountSeats } from '../bookings/seats';
import { refusalFromConstraint } from '../bookings/take-seat';
import { bookingMessages, commit } from '../crm/outbox';
import { chargeCredits, passUsable } from '../passes/credits';
import { assertPassUsable } from '../passes/usable';
import { findSeries } from './read-model';

/**
 * The occurrences of one series, read through the series index: on a large catalogue SQLite's planner otherwise
 * prefers the (status, starts_at) index and walks every upcoming event (~300 ms a booking at 100,000 events).
 */
const occurrences = (alias: string) => `events ${alias} INDEXED BY events_series_starts_unique`;

/** An occurrence `alias` of series ?1 the caller (?2) can still join at ?3: upcoming, scheduled, not already held. */
const toBook = (alias: string) => `${alias}.series_id = ?1 AND ${alias}.status = 'scheduled' AND ${alias}.starts_at > ?3
  AND NOT ${holdsActiveBooking('?2', `${alias}.id`)}`;

/**
 * Every occurrence to book, in one INSERT ... SELECT that inserts all or nothing: none of them full or paid, and the
 * caller's active upcoming bookings plus these within the per-user cap. The database decides, as for /book: D1 runs
 * one batch at a time, and the CHECK on booked_count stays the last line of defence.
 */
function insertSeriesBookings(
  batch: Batch,
  input: { seriesId: number; userId: number; now: number; limit: number; memberPassId?: number; tokenVersion: number },
) {
  const pass = input.memberPassId ?? null;
  // Free occurrences are booked as they are; with a pass every occurrence must be paid and the pass must have a credit
  // for each (checked in this same statement, so two series bookings racing for the credits cannot both win).
  const priceRule = pass === null ? 'f.price > 0' : 'f.price = 0';
  const credits = `(SELECT count(*) FROM ${occurrences('t')} WHERE ${toBook('t')})`;
  return batch.sql<{ id: number }>(
    `INSERT INTO bookings (event_id, user_id, status, booked_at, currency, ${POLICY_SNAPSHOT_COLUMNS}, check_in_code,
       paid_with, member_pass_id, updated_at)
     SELECT e.id, ?2, 'confirmed', ?3, e.currency, ${policySnapshotValues('e')}, ${NEW_CHECK_IN_CODE_SQL},
       CASE WHEN ?5 IS NULL THEN NULL ELSE 'pass' END, ?5, ?3 FROM ${occurrences('e')}
     WHERE ${toBook('e')}
       AND NOT EXISTS (SELECT 1 FROM ${occurrences('f')} WHERE ${toBook('f')}
         AND (${priceRule} OR ${isFull('f')}))
       AND ${activeUpcomingCount('?2', '?3')} + ${credits} <= ?4
       ${pass === null ? '' : `AND ${passUsable({ pass: '?5', user: '?2', now: '?3', credits, event: 'e' })}`}
       AND ${currentTokenSql('?2', '?6')}
     ORDER BY e.starts_at
     RETURNING id`,
    input.seriesId,
    input.userId,
    input.now,
    input.limit,
    pass,
    input.tokenVersion,
  );
}

/**
 * POST /series/:id/book: the caller on every upcoming occurrence of a free series it does not hold yet, or on none.
 * One batch inserts, writes the messages, recounts and reads the new bookings back; only a refusal reads more, to say why.
 */
export async function bookSeries(
  db: Database,
  crm: Queue,
  input: { seriesId: number; userId: number; maxActiveBookings: number; memberPassId?: number; tokenVersion: number },
) {
  const now = new Date();
  const batch = new Batch(db.$client);
  const inserted = insertSeriesBookings(batch, { ...input, now: now.getTime(), limit: input.maxActiveBookings });
  // The rows just inserted are the newest ids: changes() of the INSERT right before counts them.
  bookingMessages(batch, 'booking.created', {
    where: 'b.id > (SELECT max(id) FROM bookings) - changes()',
    occurredAt: now,
  });
  if (input.memberPassId !== undefined) chargeCredits(batch, input.memberPassId, now);
  recountSeats(batch, { where: 'e.series_id = ?', params: [input.seriesId] });
  // Read back after the recount: the caller's bookings of the series made now (the INSERT's RETURNING says which).
  const query = bookingsQuery({
    where: `b.user_id = ? AND b.booked_at = ? AND e.series_id = ?`,
    params: [input.userId, now.getTime(), input.seriesId],
  });
  const booked = batch.sql(query.sql, ...query.params);
  const result = await commit(batch, crm).catch(refusalFromConstraint);
  const ids = new Set(result.rows(inserted).map((row) => row.id));
  if (ids.size === 0) await explainRefusal(db, input, now);
  return result
    .rows(booked)
    .filter((row) => ids.has(row.b_id as number))
    .map((row) => bookingJson(readBooking(row), 'owner'));
}

async function explainRefusal(
  db: Database,
  input: { seriesId: number; userId: number; maxActiveBookings: number; memberPassId?: number; tokenVersion: number },
  now: Date,
) {
  // A stale access token first, as the auth middleware would have answered (the route checks it in its batch).
  await assertTokenCurrent(db.$client, { id: input.userId, version: input.tokenVersion });
  const current = await findSeries(db, input.seriesId);
  if (current.status === 'cancelled') throw new ApiError('event_not_bookable', 'This series is cancelled');
  if (input.memberPassId !== undefined && current.price === 0) {
    throw new ApiError('pass_not_usable', 'This series is free: book it without a pass');
  }
  if (current.price > 0 && input.memberPassId === undefined) {
    throw new ApiError('payment_required', 'This series is paid: book its occurrences through POST /create-payment');
  }
  const row = await db.$client
    .prepare(
      `SELECT
         (SELECT count(*) FROM ${occurrences('e')} WHERE e.series_id = ?1 AND e.status = 'scheduled' AND e.starts_at > ?3) AS upcoming,
         (SELECT count(*) FROM ${occurrences('t')} WHERE ${toBook('t')}) AS open,
         (SELECT count(*) FROM ${occurrences('f')} WHERE ${toBook('f')} AND f.price > 0) AS paid,
         (SELECT count(*) FROM ${occurrences('f')} WHERE ${toBook('f')} AND ${isFull('f')}) AS full,
         ${activeUpcomingCount('?2', '?3')} AS active`,
    )
    .bind(input.seriesId, input.userId, now.getTime())
    .first<{ upcoming: number; open: number; paid: number; full: number; active: number }>();
  if (!row || row.upcoming === 0) throw new ApiError('event_not_bookable', 'This series has no upcoming occurrence to book');
  if (row.open === 0) throw new ApiError('already_booked', 'You already hold every upcoming occurrence of this series');
  if (input.memberPassId === undefined && row.paid > 0) {
    throw new ApiError('payment_required', 'An occurrence of this series is paid; book it on its own');
  }
  if (input.memberPassId !== undefined) {
    if (row.paid < row.open)
      throw new ApiError('pass_not_usable', 'An occurrence of this series is free; a pass pays only for paid ones');
    const first = await db.$client
      .prepare(`SELECT t.id FROM ${occurrences('t')} WHERE ${toBook('t')} ORDER BY t.starts_at LIMIT 1`)
      .bind(input.seriesId, input.userId, now.getTime())
      .first<{ id: number }>();
    if (first) {
      await assertPassUsable(
        db,
        { memberPassId: input.memberPassId, userId: input.userId, eventId: first.id, credits: row.open },
        now,
      );
    }
  }
  if (row.full > 0) throw new ApiError('event_full', `${row.full} of the occurrences are fully booked; nothing was booked`);
  if (row.active + row.open > input.maxActiveBookings) {
    throw new ApiError(
      'booking_limit_reached',
      `Booking ${row.open} occurrences would take you past the most active bookings allowed (${input.maxActiveBookings})`,
    );
  }
  throw new ApiError('event_full', 'The series changed while booking; nothing was booked, try again');
}
