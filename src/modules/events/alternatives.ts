import type { Database } from '../../env';
import { boundingBox, haversineKm } from '../geo/great-circle';
import { eventJson, eventsInOrder, type EventWithFacilitator } from './read-model';

const DAY = 86_400_000;
export const ALTERNATIVES_WINDOW_MS = 7 * DAY;
export const ALTERNATIVES_RADIUS_KM = 50;
export const MAX_ALTERNATIVES = 3;
/** Candidates read per search: enough for three with free seats among busy neighbours, never an unbounded scan. */
const CANDIDATE_LIMIT = 200;

type Full = Pick<EventWithFacilitator, 'id' | 'type' | 'startsAt' | 'latitude' | 'longitude' | 'locationStatus'>;

/** Same type (any case), scheduled, upcoming, a free seat, starting within 7 days of the full one, not the full one. */
const SIMILAR = `lower(type) = lower(?) AND status = 'scheduled' AND starts_at > ? AND starts_at BETWEEN ? AND ?
  AND id <> ? AND (capacity IS NULL OR booked_count < capacity)`;

/**
 * Up to three events to offer instead of a full one. With a place: those within 50 km, nearest first, read through
 * the nearby search's (latitude, longitude) index. Online: online ones, nearest in time first, read through the
 * (lower(type), starts_at) index. A full event with no known place has none.
 */
export async function findAlternatives(db: Database, full: Full, now = new Date()) {
  const params = [
    full.type,
    now.getTime(),
    full.startsAt.getTime() - ALTERNATIVES_WINDOW_MS,
    full.startsAt.getTime() + ALTERNATIVES_WINDOW_MS,
    full.id,
  ];
  let ranked: Array<{ id: number; distanceKm: number | null }>;
  if (full.latitude !== null && full.longitude !== null) {
    const origin = { lat: full.latitude, lng: full.longitude };
    const box = boundingBox(origin, ALTERNATIVES_RADIUS_KM);
    const lngClause = box.lngRanges.map(() => 'longitude BETWEEN ? AND ?').join(' OR ');
    const { results } = await db.$client
      .prepare(
        `SELECT id, latitude, longitude, starts_at FROM events INDEXED BY events_lat_lng_idx
         WHERE latitude BETWEEN ? AND ? AND (${lngClause}) AND ${SIMILAR} LIMIT ${CANDIDATE_LIMIT}`,
      )
      .bind(box.minLat, box.maxLat, ...box.lngRanges.flat(), ...params)
      .all<{ id: number; latitude: number; longitude: number; starts_at: number }>();
    ranked = results
      .map((row) => ({
        id: row.id,
        startsAt: row.starts_at,
        distanceKm: haversineKm(origin, { lat: row.latitude, lng: row.longitude }),
      }))
      .filter((row) => row.distanceKm <= ALTERNATIVES_RADIUS_KM)
      .sort((a, b) => a.distanceKm - b.distanceKm || a.startsAt - b.startsAt || a.id - b.id)
      .map((row) => ({ id: row.id, distanceKm: Math.round(row.distanceKm * 100) / 100 }));
  } else if (full.locationStatus === 'online') {
    const { results } = await db.$client
      .prepare(
        `SELECT id, starts_at FROM events INDEXED BY events_type_key_idx
         WHERE ${SIMILAR} AND location_status = 'online' LIMIT ${CANDIDATE_LIMIT}`,
      )
      .bind(...params)
      .all<{ id: number; starts_at: number }>();
    const start = full.startsAt.getTime();
    ranked = results
      .sort((a, b) => Math.abs(a.starts_at - start) - Math.abs(b.starts_at - start) || a.id - b.id)
      .map((row) => ({ id: row.id, distanceKm: null }));
  } else {
    return [];
  }
  const chosen = ranked.slice(0, MAX_ALTERNATIVES);
  const distances = new Map(chosen.map((row) => [row.id, row.distanceKm]));
  const found = await eventsInOrder(
    db,
    chosen.map((row) => row.id),
  );
  return found.map((event) => ({ ...eventJson(event), distance_km: distances.get(event.id) ?? null }));
}
