import { and, asc, eq, getTableColumns, gt, ne, sql } from 'drizzle-orm';
import { events, facilitators, series, type SeriesRow } from '../../db/schema';
import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import { eventWithFacilitatorColumns, type EventWithFacilitator } from '../events/read-model';
import type { SeriesJson } from './schemas';

export type SeriesWithCount = SeriesRow & { occurrenceCount: number };

/** One series with the number of occurrences made so far, or 404. */
export async function findSeries(db: Database, id: number): Promise<SeriesWithCount> {
  const [row] = await db
    .select({
      ...getTableColumns(series),
      // Written out: inside the subquery drizzle's bare "id" would name the events' column.
      occurrenceCount: sql<number>`(SELECT count(*) FROM events o WHERE o.series_id = "series"."id")`,
    })
    .from(series)
    .where(eq(series.id, id));
  if (!row) throw new ApiError('not_found', 'Series not found');
  return row as SeriesWithCount;
}

/** Occurrences that have not started and are not cancelled, soonest first. */
export async function upcomingOccurrences(db: Database, seriesId: number, now = new Date()): Promise<EventWithFacilitator[]> {
  return db
    .select(eventWithFacilitatorColumns)
    .from(events)
    .innerJoin(facilitators, eq(facilitators.id, events.facilitatorId))
    .where(and(eq(events.seriesId, seriesId), ne(events.status, 'cancelled'), gt(events.startsAt, now)))
    .orderBy(asc(events.startsAt), asc(events.id));
}

/** The one serializer of the contract's `series` object. */
export function seriesJson(row: SeriesWithCount): SeriesJson {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    type: row.type,
    rrule: row.rrule,
    timezone: row.timezone,
    starts_at: row.startsAt.toISOString(),
    duration_minutes: row.durationMinutes,
    location: row.location,
    latitude: row.latitude,
    longitude: row.longitude,
    capacity: row.capacity,
    price: row.price,
    currency: row.currency,
    facilitator_id: row.facilitatorId,
    cancellation_cutoff_hours: row.cancellationCutoffHours,
    late_cancel_refund_percent: row.lateCancelRefundPercent,
    status: row.status,
    occurrence_count: row.occurrenceCount,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
