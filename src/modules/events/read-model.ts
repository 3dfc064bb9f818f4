import { getTableColumns } from 'drizzle-orm';
import { rowReader } from '../../db/row-reader';
import { events, facilitators, type EventRow } from '../../db/schema';
import type { Database } from '../../env';
import type { EventJson } from './schemas';

/** An event row with its facilitator's name, which the contract shows as `facilitator`. */
export type EventWithFacilitator = EventRow & { facilitatorName: string };

/**
 * Columns for `db.select(eventWithFacilitatorColumns).from(events).innerJoin(facilitators, ...)`, so any query
 * (bookings, payments) can load what `eventJson` needs in one round trip.
 */
export const eventWithFacilitatorColumns = { ...getTableColumns(events), facilitatorName: facilitators.name };

const eventColumns = rowReader(events, 'e');

/**
 * Hand-written SQL for an event with its facilitator's name (`e` and `f`), read by `readEvent`: what every hot read of
 * events selects, without drizzle building the query per request. Columns are named `e_<column>`.
 */
export const EVENT_SQL = {
  columns: `${eventColumns.columns}, f.name AS e_facilitator_name`,
  from: 'events e JOIN facilitators f ON f.id = e.facilitator_id',
};

/** One row selected with EVENT_SQL.columns, as drizzle would give it. */
export function readEvent(row: Record<string, unknown>): EventWithFacilitator {
  const event = eventColumns.read(row) as EventWithFacilitator;
  event.facilitatorName = row.e_facilitator_name as string;
  return event;
}

/** One event with its facilitator's name, or undefined. */
export async function findEvent(db: Database, id: number): Promise<EventWithFacilitator | undefined> {
  const row = await db.$client.prepare(`SELECT ${EVENT_SQL.columns} FROM ${EVENT_SQL.from} WHERE e.id = ?`).bind(id).first();
  return row ? readEvent(row) : undefined;
}

/** The events with these ids, with their facilitator's name, in the order given (an id not found is left out). */
export async function eventsInOrder(db: Database, ids: number[]): Promise<EventWithFacilitator[]> {
  if (ids.length === 0) return [];
  // One bound parameter whatever the count (D1 caps bound parameters per statement).
  const { results } = await db.$client
    .prepare(`SELECT ${EVENT_SQL.columns} FROM ${EVENT_SQL.from} WHERE e.id IN (SELECT value FROM json_each(?))`)
    .bind(JSON.stringify(ids))
    .all();
  const byId = new Map(results.map((row) => [row.e_id as number, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [readEvent(row)] : [];
  });
}

/** The one serializer of the contract's `event` object. */
export function eventJson(event: EventWithFacilitator): EventJson {
  const startsAt = event.startsAt.toISOString();
  return {
    id: event.id,
    title: event.title,
    description: event.description,
    type: event.type,
    status: event.status,
    starts_at: startsAt,
    ends_at: event.endsAt.toISOString(),
    date: startsAt,
    timezone: event.timezone,
    location: event.location,
    latitude: event.latitude,
    longitude: event.longitude,
    location_status: event.locationStatus,
    capacity: event.capacity,
    booked_count: event.bookedCount,
    seats_left: event.capacity === null ? null : Math.max(0, event.capacity - event.bookedCount),
    price: event.price,
    currency: event.currency,
    facilitator: event.facilitatorName,
    facilitator_id: event.facilitatorId,
    series_id: event.seriesId,
    cancellation_cutoff_hours: event.cancellationCutoffHours,
    late_cancel_refund_percent: event.lateCancelRefundPercent,
    min_attendees: event.minAttendees,
    decision_hours_before: event.decisionHoursBefore,
    go_decision: event.goDecision,
    created_at: event.createdAt.toISOString(),
    updated_at: event.updatedAt.toISOString(),
  };
}
