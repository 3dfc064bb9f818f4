import { and, eq, gt, sql } from 'drizzle-orm';
import { Batch } from '../../db/batch';
import { isCheckViolation } from '../../db/errors';
import { events, series } from '../../db/schema';
import type { CurrentUser, Database } from '../../env';
import { ApiError } from '../../http/errors';
import { commit } from '../crm/outbox';
import { assertCanManageEvent } from '../events/access';
import { eventCancellationCascade, eventRescheduledMessage, fillFreedSeats, type EventSelection } from '../events/cascade';
import { resolveLocation, type ResolvedLocation } from '../events/location';
import type { EventDeps } from '../events/manage';
import { findSeries } from './read-model';
import type { SeriesChanges } from './schemas';

/** The occurrences a change to the series reaches: scheduled and not started. Past ones are history. */
const upcoming = (seriesId: number, now: Date): EventSelection => ({
  where: `e.series_id = ? AND e.status = 'scheduled' AND e.starts_at > ?`,
  params: [seriesId, now.getTime()],
});

async function loadManageable(db: Database, actor: CurrentUser, id: number) {
  const row = await findSeries(db, id);
  await assertCanManageEvent(db, actor, row);
  return row;
}

/**
 * PATCH /series/:id: the named template fields, on the series and on every upcoming scheduled occurrence, in one atomic
 * batch (fields an occurrence changed by itself and PATCH does not name stay as they are). A capacity below the seats
 * taken on any one occurrence fails the batch on the schema's CHECK: 409 and nothing changes. A new place is geocoded
 * once and the CRM hears `event.rescheduled` per occurrence; more seats go to each occurrence's waitlist afterwards.
 */
export async function updateSeries(db: Database, deps: EventDeps, actor: CurrentUser, id: number, changes: SeriesChanges) {
  const current = await loadManageable(db, actor, id);
  if (current.status === 'cancelled') throw new ApiError('series_cancelled', 'This series is cancelled');
  const moved = changes.location !== undefined || changes.latitude !== undefined;
  const place: ResolvedLocation | null = moved
    ? await resolveLocation(db, deps.geocoder, {
        location: changes.location === undefined ? current.location : changes.location,
        latitude: changes.latitude,
        longitude: changes.longitude,
      })
    : null;
  const template = {
    title: changes.title,
    description: changes.description,
    type: changes.type,
    capacity: changes.capacity,
    price: changes.price,
    currency: changes.currency,
    // A new policy reaches future bookings only: each booking keeps the policy it was made under.
    cancellationCutoffHours: changes.cancellation_cutoff_hours,
    lateCancelRefundPercent: changes.late_cancel_refund_percent,
    ...(place ?? {}),
  };
  const now = new Date();
  const reached = upcoming(id, now);
  const batch = new Batch(db.$client);
  batch.add(
    db
      .update(series)
      .set({ ...template, updatedAt: now })
      .where(eq(series.id, id)),
  );
  batch.add(
    db
      .update(events)
      .set({
        ...template,
        geocodeAttemptedAt: place?.locationStatus === 'pending' ? now : undefined,
        // A new place is a reschedule: calendars take it only with a higher SEQUENCE (RFC 5545).
        sequence: place ? sql`${events.sequence} + 1` : undefined,
        updatedAt: now,
      })
      .where(and(eq(events.seriesId, id), eq(events.status, 'scheduled'), gt(events.startsAt, now))),
  );
  if (place) eventRescheduledMessage(batch, reached, now);
  try {
    await commit(batch, deps.crm);
  } catch (error) {
    if (isCheckViolation(error) && /booked_within_capacity/.test(String(error))) {
      throw new ApiError('capacity_below_bookings', 'The new capacity is below the seats already booked for an occurrence');
    }
    throw error;
  }
  if (changes.capacity !== undefined) await fillWaitlists(db, deps, id, now);
  if (place?.locationStatus === 'pending') {
    const pending = await db.$client
      .prepare(`SELECT e.id FROM events e WHERE ${reached.where} AND e.location_status = 'pending'`)
      .bind(...reached.params)
      .all<{ id: number }>();
    for (const { id: eventId } of pending.results) await deps.geocodeLater(eventId);
  }
  return findSeries(db, id);
}

/** After a capacity change: each upcoming occurrence with a waitlist gives its new seats away (a batch each). */
async function fillWaitlists(db: Database, deps: EventDeps, seriesId: number, now: Date) {
  const { results } = await db.$client
    .prepare(
      `SELECT e.id, e.capacity FROM events e WHERE e.series_id = ? AND e.status = 'scheduled' AND e.starts_at > ?
         AND EXISTS (SELECT 1 FROM bookings w WHERE w.event_id = e.id AND w.status = 'waitlisted')`,
    )
    .bind(seriesId, now.getTime())
    .all<{ id: number; capacity: number | null }>();
  for (const event of results) {
    const batch = new Batch(db.$client);
    fillFreedSeats(batch, event.id, { before: 0, after: event.capacity }, now, deps.waitlist);
    await commit(batch, deps.crm);
  }
}

/**
 * DELETE /series/:id: the series and every upcoming occurrence cancelled in one atomic batch, with the same cascade as
 * DELETE /events/:id (bookings cancelled, CRM told once per booking and once per event, paid ones refunded by the
 * cron). Past occurrences are untouched. Cancelling a cancelled series changes nothing.
 */
export async function cancelSeries(db: Database, deps: Pick<EventDeps, 'crm'>, actor: CurrentUser, id: number) {
  const current = await loadManageable(db, actor, id);
  if (current.status === 'cancelled') return { series: current, cancelledEventIds: [] as number[] };
  const now = new Date();
  const reached = upcoming(id, now);
  const batch = new Batch(db.$client);
  const cancelled = batch.sql<{ id: number }>(
    `SELECT e.id FROM events e WHERE ${reached.where} ORDER BY e.starts_at`,
    ...reached.params,
  );
  eventCancellationCascade(batch, reached, now);
  batch.sql(
    `UPDATE events SET status = 'cancelled', cancelled_at = ?, updated_at = ?, sequence = sequence + 1
     WHERE id IN (SELECT e.id FROM events e WHERE ${reached.where})`,
    now.getTime(),
    now.getTime(),
    ...reached.params,
  );
  batch.add(
    db
      .update(series)
      .set({ status: 'cancelled', cancelledAt: now, updatedAt: now })
      .where(and(eq(series.id, id), eq(series.status, 'active'))),
  );
  const result = await commit(batch, deps.crm);
  return { series: await findSeries(db, id), cancelledEventIds: result.rows(cancelled).map((row) => row.id) };
}
