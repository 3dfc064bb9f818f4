import type { Database } from '../../env';
import { boundingBox, haversineKm } from '../geo/great-circle';
import { boxSource } from './geo-cells';
import { EVENT_SQL, eventJson, readEvent, type EventWithFacilitator } from './read-model';

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

/** Of the nearest candidates by the estimate, those read in full and ranked by the exact distance here. */
const RANKED = 20;

/**
 * Up to three events to offer instead of a full one, in one statement. With a place: those within 50 km, nearest
 * first, read through the nearby search's map cells (geo-cells.ts): at most CANDIDATE_LIMIT candidates, the
 * RANKED nearest by an equirectangular estimate read in full (with their facilitator), then ranked by the exact
 * great-circle distance. Online: online ones, nearest in time first, read through the (lower(type), starts_at) index.
 * A full event with no known place has none.
 */
export async function findAlternatives(db: Database, full: Full, now = new Date()) {
  const params = [
    full.type,
    now.getTime(),
    full.startsAt.getTime() - ALTERNATIVES_WINDOW_MS,
    full.startsAt.getTime() + ALTERNATIVES_WINDOW_MS,
    full.id,
  ];
  let ranked: Array<{ event: EventWithFacilitator; distanceKm: number | null }>;
  if (full.latitude !== null && full.longitude !== null) {
    const origin = { lat: full.latitude, lng: full.longitude };
    const box = boundingBox(origin, ALTERNATIVES_RADIUS_KM);
    const lngClause = box.lngRanges.map(() => 'longitude BETWEEN ? AND ?').join(' OR ');
    const source = boxSource(box);
    // Degrees of longitude shrink with the cosine of the latitude (the 50 km box never crosses the antimeridian
    // far enough for the estimate's order to matter: the exact distance ranks the RANKED read).
    const cosLat = Math.cos((origin.lat * Math.PI) / 180);
    const { results } = await db.$client
      .prepare(
        `SELECT ${EVENT_SQL.columns} FROM (
           SELECT id FROM ${source.from}
           WHERE ${source.where} AND latitude BETWEEN ? AND ? AND (${lngClause}) AND ${SIMILAR} LIMIT ${CANDIDATE_LIMIT}
         ) c JOIN events e ON e.id = c.id JOIN facilitators f ON f.id = e.facilitator_id
         ORDER BY (e.latitude - ?) * (e.latitude - ?) + (e.longitude - ?) * (e.longitude - ?) * ? * ?, e.id
         LIMIT ${RANKED}`,
      )
      .bind(
        box.minLat,
        box.maxLat,
        ...box.lngRanges.flat(),
        ...params,
        origin.lat,
        origin.lat,
        origin.lng,
        origin.lng,
        cosLat,
        cosLat,
      )
      .all();
    ranked = results
      .map(readEvent)
      .map((event) => ({ event, distanceKm: haversineKm(origin, { lat: event.latitude!, lng: event.longitude! }) }))
      .filter((row) => row.distanceKm <= ALTERNATIVES_RADIUS_KM)
      .sort(
        (a, b) =>
          a.distanceKm - b.distanceKm || a.event.startsAt.getTime() - b.event.startsAt.getTime() || a.event.id - b.event.id,
      )
      .map((row) => ({ event: row.event, distanceKm: Math.round(row.distanceKm * 100) / 100 }));
  } else if (full.locationStatus === 'online') {
    const { results } = await db.$client
      .prepare(
        `SELECT ${EVENT_SQL.columns} FROM (
           SELECT id FROM events INDEXED BY events_type_key_idx
           WHERE ${SIMILAR} AND location_status = 'online' LIMIT ${CANDIDATE_LIMIT}
         ) c JOIN events e ON e.id = c.id JOIN facilitators f ON f.id = e.facilitator_id
         ORDER BY abs(e.starts_at - ?), e.id LIMIT ${MAX_ALTERNATIVES}`,
      )
      .bind(...params, full.startsAt.getTime())
      .all();
    ranked = results.map((row) => ({ event: readEvent(row), distanceKm: null }));
  } else {
    return [];
  }
  return ranked
    .slice(0, MAX_ALTERNATIVES)
    .map(({ event, distanceKm }) => Object.assign(eventJson(event), { distance_km: distanceKm }));
}
