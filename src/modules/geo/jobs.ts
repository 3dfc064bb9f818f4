import { and, eq, inArray, lt } from 'drizzle-orm';
import { events, series } from '../../db/schema';
import type { Database } from '../../env';
import type { GeocodeJob } from './messages';
import { geocodeLocation, type GeocoderSettings } from './geocoding';

/** Longest wait between two tries of one job; the cron's threshold below is twice this, so it only repairs lost jobs. */
export const MAX_RETRY_DELAY_SECONDS = 300;
export const STALE_PENDING_MS = 2 * MAX_RETRY_DELAY_SECONDS * 1000;

/** 15 s, 30 s, 1 min, 2 min, 4 min, then every 5 min. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(MAX_RETRY_DELAY_SECONDS, 15 * 2 ** Math.max(0, attempts - 1));
}

/** A failed send is only logged: the event is already saved as pending, and the cron enqueues it again. */
export async function enqueueGeocode(queue: Queue, eventId: number) {
  try {
    await queue.send({ kind: 'geocode_event', event_id: eventId } satisfies GeocodeJob);
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', msg: 'geocode job not queued', event_id: eventId, error: String(error) }));
  }
}

/**
 * One try at a pending location. `retry` when the geocoder is still down. The final UPDATE repeats the pending
 * state and the location text in its WHERE, so a job never overwrites a location changed in the meantime.
 */
export async function fillPendingLocation(db: Database, geocoder: GeocoderSettings, eventId: number): Promise<'done' | 'retry'> {
  const event = await db.query.events.findFirst({
    columns: { id: true, location: true, locationStatus: true, seriesId: true },
    where: eq(events.id, eventId),
  });
  if (!event || event.locationStatus !== 'pending' || !event.location) return 'done';
  const result = await geocodeLocation(db, geocoder, event.location);
  const now = new Date();
  const stillPending = and(eq(events.id, eventId), eq(events.locationStatus, 'pending'), eq(events.location, event.location));
  if (result.kind === 'down') {
    await db.update(events).set({ geocodeAttemptedAt: now }).where(stillPending);
    return 'retry';
  }
  if (result.kind === 'not_found') {
    console.warn(
      JSON.stringify({ level: 'warn', msg: 'pending location not found', event_id: eventId, location: event.location }),
    );
  }
  const place =
    result.kind === 'found'
      ? { latitude: result.latitude, longitude: result.longitude, locationStatus: 'resolved' as const }
      : { locationStatus: 'none' as const };
  const update = db
    .update(events)
    .set({ ...place, geocodeAttemptedAt: now, updatedAt: now })
    .where(stillPending);
  // An occurrence's series learns the place too, so the occurrences the cron makes later start resolved.
  const seriesUpdate =
    event.seriesId === null
      ? null
      : db
          .update(series)
          .set({ ...place, updatedAt: now })
          .where(and(eq(series.id, event.seriesId), eq(series.locationStatus, 'pending'), eq(series.location, event.location)));
  if (seriesUpdate) await db.batch([update, seriesUpdate]);
  else await update;
  return 'done';
}

/**
 * Cron repair: pending events no job has tried for a while (a lost send, or retries used up) are queued again,
 * and marked as tried so the next cron run does not queue them twice.
 */
export async function requeueStalePendingGeocodes(db: Database, queue: Queue, now = new Date()): Promise<number> {
  const stale = await db
    .select({ id: events.id })
    .from(events)
    .where(and(eq(events.locationStatus, 'pending'), lt(events.geocodeAttemptedAt, new Date(now.getTime() - STALE_PENDING_MS))))
    .limit(100);
  if (stale.length === 0) return 0;
  const ids = stale.map((row) => row.id);
  await queue.sendBatch(ids.map((id) => ({ body: { kind: 'geocode_event', event_id: id } satisfies GeocodeJob })));
  await db.update(events).set({ geocodeAttemptedAt: now }).where(inArray(events.id, ids));
  return ids.length;
}
