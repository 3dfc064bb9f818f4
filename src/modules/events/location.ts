import type { EventRow } from '../../db/schema';
import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import { geocodeLocation, type GeocoderSettings } from '../geo/geocoding';

export type ResolvedLocation = Pick<EventRow, 'location' | 'latitude' | 'longitude' | 'locationStatus'>;

export interface LocationInput {
  location?: string | null;
  latitude?: number;
  longitude?: number;
}

const ONLINE = /^online$/i;

/**
 * Where an event is: explicit coordinates win; "Online" (any case) and no location have none; otherwise the place
 * is geocoded. An unknown place is 422 before anything is saved; a geocoder that is down gives `pending`.
 */
export async function resolveLocation(db: Database, geocoder: GeocoderSettings, input: LocationInput): Promise<ResolvedLocation> {
  const location = input.location ?? null;
  if (input.latitude !== undefined && input.longitude !== undefined) {
    return { location, latitude: input.latitude, longitude: input.longitude, locationStatus: 'resolved' };
  }
  if (location === null) return { location, latitude: null, longitude: null, locationStatus: 'none' };
  if (ONLINE.test(location)) return { location, latitude: null, longitude: null, locationStatus: 'online' };
  const result = await geocodeLocation(db, geocoder, location);
  switch (result.kind) {
    case 'found':
      return { location, latitude: result.latitude, longitude: result.longitude, locationStatus: 'resolved' };
    case 'not_found':
      throw new ApiError(
        'location_not_found',
        `No place called "${location}" was found; check the spelling or give latitude and longitude`,
      );
    case 'down':
      return { location, latitude: null, longitude: null, locationStatus: 'pending' };
  }
}
