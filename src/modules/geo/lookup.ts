import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import { fromGazetteer, geocodeLocation, type GeocoderSettings } from './geocoding';

export interface PlaceJson {
  latitude: number;
  longitude: number;
  formatted_address: string;
}

/**
 * POST /geocode, the predecessor's lookup: the same cache and geocoder as events. When Google is down the offline
 * gazetteer may still know the place; only when neither answers is it 503 (retry later), never a guess.
 */
export async function lookUpPlace(db: Database, geocoder: GeocoderSettings, location: string): Promise<PlaceJson> {
  let result = await geocodeLocation(db, geocoder, location);
  if (result.kind === 'down') {
    const offline = fromGazetteer(location);
    if (offline.kind === 'found') result = offline;
    else throw new ApiError('geocoding_unavailable');
  }
  if (result.kind === 'not_found') {
    throw new ApiError('location_not_found', `No place called "${location}" was found; check the spelling`);
  }
  return { latitude: result.latitude, longitude: result.longitude, formatted_address: result.formattedAddress };
}
