import type { Database } from '../../env';
import { validationFailed } from '../../http/errors';
import { boundingBox, haversineKm, type BoundingBox, type Point } from '../geo/great-circle';
import { boxSource } from './geo-cells';
import { eventsInOrder, type EventWithFacilitator } from './read-model';

export const DEFAULT_RADIUS_KM = 10;
export const DEFAULT_NEARBY_LIMIT = 50;

/**
 * The most candidates one search reads into the Worker, however many events the box holds (a city at 1,000 km holds
 * the whole catalogue): the nearest by an equirectangular estimate, which SQL can compute; the exact great-circle
 * distance then ranks them. Far more than the 100 a page can show, so the estimate's error never loses a winner.
 */
export const NEARBY_CANDIDATE_CAP = 1000;

/**
 * The candidates inside the bounding box, read through the map cells it covers or, for a large radius, the
 * (latitude, longitude) index (boxSource), nearest first by an estimate and at most
 * NEARBY_CANDIDATE_CAP of them. Only ids and coordinates: full rows are loaded for the winners only. Events
 * without coordinates never match BETWEEN; a coordinate of 0 is an ordinary value.
 */
export function nearbyCandidatesQuery(box: BoundingBox, now: Date, origin: Point, cap = NEARBY_CANDIDATE_CAP) {
  const lngClause = box.lngRanges.map(() => 'longitude BETWEEN ? AND ?').join(' OR ');
  // Degrees of longitude shrink with the cosine of the latitude; across the antimeridian the short way round counts.
  const cosLat = Math.cos((origin.lat * Math.PI) / 180);
  const source = boxSource(box);
  return {
    sql: `SELECT id, latitude, longitude FROM ${source.from}
          WHERE ${source.where} AND latitude BETWEEN ? AND ? AND (${lngClause}) AND status = 'scheduled' AND starts_at > ?
          ORDER BY (latitude - ?) * (latitude - ?)
            + (CASE WHEN abs(longitude - ?) > 180 THEN 360 - abs(longitude - ?) ELSE abs(longitude - ?) END) * ?
            * (CASE WHEN abs(longitude - ?) > 180 THEN 360 - abs(longitude - ?) ELSE abs(longitude - ?) END) * ?, id
          LIMIT ?`,
    params: [
      box.minLat,
      box.maxLat,
      ...box.lngRanges.flat(),
      now.getTime(),
      origin.lat,
      origin.lat,
      origin.lng,
      origin.lng,
      origin.lng,
      cosLat,
      origin.lng,
      origin.lng,
      origin.lng,
      cosLat,
      cap,
    ],
  };
}

export interface NearbyEvent {
  event: EventWithFacilitator;
  distanceKm: number;
}

/** Upcoming scheduled events within `radiusKm` of `origin`, nearest first (then by id): box in SQL, exact distance here. */
export async function nearbyEvents(db: Database, origin: Point, radiusKm: number, limit: number, now = new Date()) {
  const query = nearbyCandidatesQuery(boundingBox(origin, radiusKm), now, origin);
  // As arrays (up to NEARBY_CANDIDATE_CAP of them): no object per candidate.
  const rows = await db.$client
    .prepare(query.sql)
    .bind(...query.params)
    .raw<[id: number, latitude: number, longitude: number]>();
  const nearest = rows
    .map(([id, lat, lng]) => ({ id, distanceKm: haversineKm(origin, { lat, lng }) }))
    .filter((row) => row.distanceKm <= radiusKm)
    .sort((a, b) => a.distanceKm - b.distanceKm || a.id - b.id)
    .slice(0, limit);
  const found = await eventsInOrder(
    db,
    nearest.map((row) => row.id),
  );
  const distances = new Map(nearest.map((row) => [row.id, row.distanceKm]));
  return found.map((event): NearbyEvent => ({ event, distanceKm: distances.get(event.id)! }));
}

/** The caller's position: lat/lng from the query, else Cloudflare's request geolocation; neither is a 400. */
export function nearbyOrigin(query: { lat?: number; lng?: number }, cf: IncomingRequestCfProperties | undefined) {
  if (query.lat !== undefined && query.lng !== undefined) return { lat: query.lat, lng: query.lng, source: 'query' as const };
  if (query.lat !== undefined || query.lng !== undefined) {
    throw validationFailed([{ path: query.lat === undefined ? 'lat' : 'lng', message: 'Give lat and lng together' }]);
  }
  const lat = Number(cf?.latitude);
  const lng = Number(cf?.longitude);
  if (cf?.latitude === undefined || cf?.longitude === undefined || !Number.isFinite(lat) || !Number.isFinite(lng)) {
    throw validationFailed([{ path: 'lat', message: 'Give lat and lng: your position is not known from the request' }]);
  }
  return { lat, lng, source: 'cf' as const };
}
