import { eq, getTableColumns, inArray } from 'drizzle-orm';
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

/** One event with its facilitator's name, or undefined. */
export async function findEvent(db: Database, id: number): Promise<EventWithFacilitator | undefined> {
  const [event] = await db
    .select(eventWithFacilitatorColumns)
    .from(events)
    .innerJoin(facilitators, eq(facilitators.id, events.facilitatorId))
    .where(eq(events.id, id));
  return event;
}

/** The events with these ids, with their facilitator's name, in the order given (an id not found is left out). */
export async function eventsInOrder(db: Database, ids: number[]): Promise<EventWithFacilitator[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select(eventWithFacilitatorColumns)
    .from(events)
    .innerJoin(facilitators, eq(facilitators.id, events.facilitatorId))
    .where(inArray(events.id, ids));
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
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
