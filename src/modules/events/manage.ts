import { and, eq, ne, sql } from 'drizzle-orm';
import { isCheckViolation, isForeignKeyViolation, isUniqueViolationOn } from '../../db/errors';
import { events, type EventRow } from '../../db/schema';
import { ACTIVE_BOOKING_STATUSES_SQL } from '../../db/statuses';
import type { CurrentUser, Database } from '../../env';
import { ApiError, validationFailed } from '../../http/errors';
import type { EventChanges, NewEvent } from './schemas';
import { Batch } from '../../db/batch';
import { commit } from '../crm/outbox';
import { assertCanManageEvent, owningFacilitatorId } from './access';
import { eventCancellationCascade, eventRescheduledMessage, fillFreedSeats, isRescheduled, oneEvent } from './cascade';
import { findEvent, type EventWithFacilitator } from './read-model';
import { resolveLocation, type ResolvedLocation } from './location';
import { enqueueGeocode } from '../geo/jobs';
import { geocoderSettings, type GeocoderSettings } from '../geo/geocoding';
import { defaultCutoffHours } from '../bookings/policy';
import { waitlistRules, type WaitlistRules } from '../bookings/waitlist';

export interface EventDeps {
  geocoder: GeocoderSettings;
  /** Resolves a pending location later (the jobs queue); a lost send is repaired by the cron. */
  geocodeLater: (eventId: number) => Promise<void>;
  /** CRM notifications of the bookings an event change affects. */
  crm: Queue;
  /** CANCELLATION_CUTOFF_HOURS: the cut-off of a new event that names none. */
  defaultCutoffHours: number;
  /** Where seats a capacity change frees go. */
  waitlist: WaitlistRules;
}

export function eventDeps(env: Env): EventDeps {
  return {
    geocoder: geocoderSettings(env),
    geocodeLater: (eventId) => enqueueGeocode(env.JOBS_QUEUE, eventId),
    crm: env.CRM_QUEUE,
    defaultCutoffHours: defaultCutoffHours(env),
    waitlist: waitlistRules(env),
  };
}

const DEFAULT_DURATION_MINUTES = 60;
const DEFAULT_DECISION_HOURS = 24;

/** A new minimum: none clears the decision; a decision already made stays made; otherwise it is pending. */
function nextGoDecision(current: EventRow, minAttendees: number | null): EventRow['goDecision'] {
  if (minAttendees === null) return null;
  return current.goDecision === 'confirmed' || current.goDecision === 'cancelled' ? current.goDecision : 'pending';
}
const MINUTE = 60_000;

function assertEndsAfterStart(startsAt: Date, endsAt: Date) {
  if (endsAt <= startsAt) throw validationFailed([{ path: 'ends_at', message: 'ends_at must be after starts_at' }]);
}

async function loadManageable(db: Database, actor: CurrentUser, id: number) {
  const event = await findEvent(db, id);
  if (!event) throw new ApiError('not_found', 'Event not found');
  await assertCanManageEvent(db, actor, event);
  return event;
}

export async function createEvent(db: Database, deps: EventDeps, actor: CurrentUser, input: NewEvent) {
  const facilitatorId = await owningFacilitatorId(db, actor, input.facilitator_id);
  if (facilitatorId === undefined) {
    throw validationFailed([{ path: 'facilitator_id', message: 'An admin must say which facilitator runs the event' }]);
  }
  const startsAt = input.starts_at ?? input.date!;
  const endsAt = input.ends_at ?? new Date(startsAt.getTime() + (input.duration_minutes ?? DEFAULT_DURATION_MINUTES) * MINUTE);
  assertEndsAfterStart(startsAt, endsAt);
  const place = await resolveLocation(db, deps.geocoder, input);
  const now = new Date();
  const status = input.status ?? 'scheduled';
  let id: number;
  try {
    const [row] = await db
      .insert(events)
      .values({
        title: input.title,
        description: input.description ?? '',
        type: input.type,
        status,
        startsAt,
        endsAt,
        timezone: input.timezone ?? 'UTC',
        ...place,
        geocodeAttemptedAt: place.locationStatus === 'pending' ? now : null,
        capacity: input.capacity ?? null,
        price: input.price ?? 0,
        currency: input.currency ?? 'INR',
        facilitatorId,
        cancellationCutoffHours: input.cancellation_cutoff_hours ?? deps.defaultCutoffHours,
        lateCancelRefundPercent: input.late_cancel_refund_percent ?? 0,
        minAttendees: input.min_attendees ?? null,
        decisionHoursBefore: input.decision_hours_before ?? DEFAULT_DECISION_HOURS,
        goDecision: input.min_attendees ? 'pending' : null,
        cancelledAt: status === 'cancelled' ? now : null,
      })
      .returning({ id: events.id });
    id = row!.id;
  } catch (error) {
    if (isForeignKeyViolation(error)) throw new ApiError('facilitator_not_found', 'No facilitator has this facilitator_id');
    throw error;
  }
  if (place.locationStatus === 'pending') await deps.geocodeLater(id);
  return (await findEvent(db, id))!;
}

/** New start and end: a new start alone keeps the event's length; duration_minutes counts from the (new) start. */
function nextTimes(current: EventRow, changes: EventChanges) {
  const startsAt = changes.starts_at ?? changes.date ?? current.startsAt;
  const endsAt =
    changes.ends_at ??
    (changes.duration_minutes !== undefined
      ? new Date(startsAt.getTime() + changes.duration_minutes * MINUTE)
      : new Date(current.endsAt.getTime() + (startsAt.getTime() - current.startsAt.getTime())));
  assertEndsAfterStart(startsAt, endsAt);
  return { startsAt, endsAt };
}

/** A new place (or new coordinates) is resolved again; the same text keeps its coordinates. */
async function nextPlace(db: Database, deps: EventDeps, current: EventRow, changes: EventChanges) {
  const coordinatesGiven = changes.latitude !== undefined;
  const locationChanged = changes.location !== undefined && changes.location !== current.location;
  if (!coordinatesGiven && !locationChanged) return null;
  return resolveLocation(db, deps.geocoder, {
    location: changes.location === undefined ? current.location : changes.location,
    latitude: changes.latitude,
    longitude: changes.longitude,
  });
}

/**
 * Partial update, as one D1 batch. A capacity below the seats taken is refused by the schema's CHECK
 * (booked_count <= capacity) inside the batch, so a booking racing with the update cannot slip past and
 * nothing of the batch is applied.
 */
export async function updateEvent(db: Database, deps: EventDeps, actor: CurrentUser, id: number, changes: EventChanges) {
  const current = await loadManageable(db, actor, id);
  const facilitatorId =
    changes.facilitator_id === undefined ? undefined : await owningFacilitatorId(db, actor, changes.facilitator_id);
  const { startsAt, endsAt } = nextTimes(current, changes);
  const place: ResolvedLocation | null = await nextPlace(db, deps, current, changes);
  const now = new Date();
  const cancelling = changes.status === 'cancelled' && current.status !== 'cancelled';
  if (!cancelling && startsAt.getTime() !== current.startsAt.getTime() && startsAt <= now) {
    await assertNoActiveBookings(db, id);
  }
  const after = { ...(place ?? current), startsAt };
  const rescheduled = !cancelling && isRescheduled(current, after);
  const batch = new Batch(db.$client);
  batch.add(
    db
      .update(events)
      .set({
        title: changes.title,
        description: changes.description,
        type: changes.type,
        startsAt,
        endsAt,
        timezone: changes.timezone,
        ...(place ?? {}),
        geocodeAttemptedAt: place?.locationStatus === 'pending' ? now : undefined,
        capacity: changes.capacity,
        price: changes.price,
        currency: changes.currency,
        facilitatorId,
        cancellationCutoffHours: changes.cancellation_cutoff_hours,
        lateCancelRefundPercent: changes.late_cancel_refund_percent,
        minAttendees: changes.min_attendees,
        decisionHoursBefore: changes.decision_hours_before,
        goDecision: changes.min_attendees === undefined ? undefined : nextGoDecision(current, changes.min_attendees),
        ...(changes.status && changes.status !== 'cancelled' ? { status: changes.status, cancelledAt: null } : {}),
        // Calendars take a changed event only with a higher SEQUENCE (RFC 5545): bumped with the change itself.
        sequence: rescheduled ? sql`${events.sequence} + 1` : undefined,
        updatedAt: now,
      })
      .where(eq(events.id, id)),
  );
  // The booking cascade and CRM messages land in the same atomic step as the change.
  if (cancelling) addCancellation(batch, db, id, now);
  if (rescheduled) eventRescheduledMessage(batch, oneEvent(id), now);
  // Seats a higher capacity frees go to the waitlist, by the event's price after this update: a free event made paid
  // offers them (to be paid for) instead of confirming bookings nobody paid.
  if (!cancelling && changes.capacity !== undefined) {
    fillFreedSeats(batch, id, { before: current.capacity, after: changes.capacity }, now, deps.waitlist);
  }
  await commitEventChange(batch, deps.crm);
  if (place?.locationStatus === 'pending') await deps.geocodeLater(id);
  return (await findEvent(db, id))!;
}

/** Moving an event into the past would strand its bookings (no cancel, no refund): 409 while any is active. */
async function assertNoActiveBookings(db: Database, eventId: number) {
  const active = await db.$client
    .prepare(`SELECT 1 AS found FROM bookings WHERE event_id = ? AND status IN ${ACTIVE_BOOKING_STATUSES_SQL} LIMIT 1`)
    .bind(eventId)
    .first();
  if (active) {
    throw new ApiError(
      'event_has_active_bookings',
      'This event has active bookings, so it cannot be moved into the past; cancel it (DELETE /events/:id) instead',
    );
  }
}

/** Commits an event's batch; the schema's answers become the contract's errors. */
async function commitEventChange(batch: Batch, crm: Queue) {
  try {
    await commit(batch, crm);
  } catch (error) {
    if (isCheckViolation(error) && /booked_within_capacity/.test(String(error))) {
      throw new ApiError('capacity_below_bookings', 'The new capacity is below the seats already booked for this event');
    }
    if (isForeignKeyViolation(error)) throw new ApiError('facilitator_not_found', 'No facilitator has this facilitator_id');
    if (isUniqueViolationOn(error, 'events.series_id')) {
      throw new ApiError('occurrence_conflict', 'Another occurrence of this series starts at that time');
    }
    throw error;
  }
}

/**
 * Everything that cancelling an event does, added to its batch: the booking cascade and its CRM messages (which
 * read the bookings and the status before the change), then the soft delete.
 */
function addCancellation(batch: Batch, db: Database, eventId: number, now: Date) {
  eventCancellationCascade(batch, oneEvent(eventId), now);
  batch.add(
    db
      .update(events)
      .set({ status: 'cancelled', cancelledAt: now, sequence: sql`${events.sequence} + 1`, updatedAt: now })
      .where(and(eq(events.id, eventId), ne(events.status, 'cancelled'))),
  );
}

/** Soft delete: the row stays as `cancelled`. Cancelling a cancelled event changes nothing and answers the same. */
export async function cancelEvent(
  db: Database,
  deps: Pick<EventDeps, 'crm'>,
  actor: CurrentUser,
  id: number,
): Promise<EventWithFacilitator> {
  const current = await loadManageable(db, actor, id);
  if (current.status !== 'cancelled') {
    const batch = new Batch(db.$client);
    addCancellation(batch, db, id, new Date());
    await commitEventChange(batch, deps.crm);
  }
  return (await findEvent(db, id))!;
}
