/** Mean Earth radius, as the contract fixes it. */
export const EARTH_RADIUS_KM = 6371;

const toRadians = (degrees: number) => (degrees * Math.PI) / 180;
const toDegrees = (radians: number) => (radians * 180) / Math.PI;

export interface Point {
  lat: number;
  lng: number;
}

/** Great-circle distance by the haversine formula. */
export function haversineKm(a: Point, b: Point): number {
  const dLat = toRadians(b.lat - a.lat);
  const dLng = toRadians(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(a.lat)) * Math.cos(toRadians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A latitude band and one or two longitude ranges (two when the box crosses the antimeridian). */
export interface BoundingBox {
  minLat: number;
  maxLat: number;
  lngRanges: Array<[number, number]>;
}

/**
 * The smallest latitude/longitude box holding every point within `radiusKm` of `center` (J. P. Matuschek,
 * "Finding Points Within a Distance of a Latitude/Longitude Using Bounding Coordinates"). Near a pole the circle
 * covers every longitude; across the antimeridian the longitude range is split in two.
 */
export function boundingBox(center: Point, radiusKm: number): BoundingBox {
  const angular = radiusKm / EARTH_RADIUS_KM;
  const lat = toRadians(center.lat);
  // A hair of slack so floating-point rounding never drops a point lying exactly on the circle.
  const slack = 1e-9;
  let minLat = lat - angular - slack;
  let maxLat = lat + angular + slack;
  if (minLat <= -Math.PI / 2 || maxLat >= Math.PI / 2) {
    minLat = Math.max(minLat, -Math.PI / 2);
    maxLat = Math.min(maxLat, Math.PI / 2);
    return { minLat: toDegrees(minLat), maxLat: toDegrees(maxLat), lngRanges: [[-180, 180]] };
  }
  const dLng = toDegrees(Math.asin(Math.min(1, Math.sin(angular) / Math.cos(lat)))) + slack;
  const west = center.lng - dLng;
  const east = center.lng + dLng;
  const lngRanges: Array<[number, number]> =
    dLng >= 180
      ? [[-180, 180]]
      : west < -180
        ? [
            [west + 360, 180],
            [-180, east],
          ]
        : east > 180
          ? [
              [west, 180],
              [-180, east - 360],
            ]
          : [[west, east]];
  return { minLat: toDegrees(minLat), maxLat: toDegrees(maxLat), lngRanges };
}
