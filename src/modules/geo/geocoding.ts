import { eq } from 'drizzle-orm';
import { geocodeCache } from '../../db/schema';
import type { Database } from '../../env';
import { countryName, lookupPlace, placeKey } from './gazetteer';
import { positiveInt } from '../../lib/settings';

export interface GeocoderSettings {
  /** Empty: the offline gazetteer answers instead of Google. */
  apiKey: string;
  url: string;
  timeoutMs: number;
}

export function geocoderSettings(env: Env): GeocoderSettings {
  return {
    apiKey: (env.GOOGLE_MAPS_API_KEY ?? '').trim(),
    url: env.GOOGLE_GEOCODING_URL || 'https://maps.googleapis.com/maps/api/geocode/json',
    timeoutMs: positiveInt(env.GEOCODING_TIMEOUT_MS, 3000),
  };
}

/** `down` means "try again later" (the event is saved as pending); `not_found` means the place does not exist. */
export type GeocodeResult =
  | { kind: 'found'; latitude: number; longitude: number; formattedAddress: string; source: 'google' | 'gazetteer' }
  | { kind: 'not_found' }
  | { kind: 'down'; reason: string };

// Google's terms allow keeping coordinates for at most 30 days; an unknown place may become known sooner.
const FOUND_TTL_MS = 30 * 24 * 3600 * 1000;
const NOT_FOUND_TTL_MS = 24 * 3600 * 1000;

/** Resolves a free-text location: the D1 cache, then Google (or, without a key, the offline gazetteer). */
export async function geocodeLocation(db: Database, settings: GeocoderSettings, location: string): Promise<GeocodeResult> {
  if (!settings.apiKey) return fromGazetteer(location);
  const key = placeKey(location);
  const cached = await readCache(db, key);
  if (cached) return cached;
  const result = await askGoogle(settings, location);
  if (result.kind !== 'down') await writeCache(db, key, result);
  return result;
}

export function fromGazetteer(location: string): GeocodeResult {
  const place = lookupPlace(location);
  if (!place) return { kind: 'not_found' };
  return {
    kind: 'found',
    latitude: place.latitude,
    longitude: place.longitude,
    formattedAddress: `${place.name}, ${countryName(place.country)}`,
    source: 'gazetteer',
  };
}

async function readCache(db: Database, key: string): Promise<GeocodeResult | null> {
  const row = await db.query.geocodeCache.findFirst({ where: eq(geocodeCache.query, key) });
  if (!row || row.source !== 'google') return null;
  const age = Date.now() - row.createdAt.getTime();
  if (row.result === 'not_found') return age < NOT_FOUND_TTL_MS ? { kind: 'not_found' } : null;
  if (age >= FOUND_TTL_MS || row.latitude === null || row.longitude === null) return null;
  return {
    kind: 'found',
    latitude: row.latitude,
    longitude: row.longitude,
    formattedAddress: row.formattedAddress ?? '',
    source: 'google',
  };
}

async function writeCache(db: Database, key: string, result: Exclude<GeocodeResult, { kind: 'down' }>) {
  const found = result.kind === 'found';
  const values = {
    query: key,
    latitude: found ? result.latitude : null,
    longitude: found ? result.longitude : null,
    formattedAddress: found ? result.formattedAddress : null,
    result: found ? ('found' as const) : ('not_found' as const),
    source: 'google' as const,
    createdAt: new Date(),
  };
  const { query: _query, ...update } = values;
  await db.insert(geocodeCache).values(values).onConflictDoUpdate({ target: geocodeCache.query, set: update });
}

interface GoogleResponse {
  status?: string;
  error_message?: string;
  results?: Array<{ formatted_address?: string; geometry?: { location?: { lat?: unknown; lng?: unknown } } }>;
}

/**
 * One call to the Google Geocoding API. Every documented `status` is handled:
 * OK -> found; ZERO_RESULTS -> not_found; INVALID_REQUEST (the address cannot be read as a query) -> not_found,
 * because retrying the same text cannot help; OVER_QUERY_LIMIT, OVER_DAILY_LIMIT, UNKNOWN_ERROR, REQUEST_DENIED
 * (a key or billing problem on our side, fixed by an operator), anything unknown, HTTP errors, timeouts and network
 * failures -> down, so the event is kept as pending and retried.
 */
async function askGoogle(settings: GeocoderSettings, location: string): Promise<GeocodeResult> {
  const url = new URL(settings.url);
  url.searchParams.set('address', location);
  url.searchParams.set('key', settings.apiKey);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(settings.timeoutMs) });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return down(timedOut ? `timeout after ${settings.timeoutMs} ms` : `network: ${String(error)}`);
  }
  if (!response.ok) return down(`HTTP ${response.status}`);
  const body = (await response.json().catch(() => null)) as GoogleResponse | null;
  if (!body) return down('the response is not JSON');
  switch (body.status) {
    case 'OK':
      return foundInGoogle(body) ?? down('OK without usable coordinates');
    case 'ZERO_RESULTS':
    case 'INVALID_REQUEST':
      return { kind: 'not_found' };
    case 'REQUEST_DENIED':
      return down(`REQUEST_DENIED (check GOOGLE_MAPS_API_KEY): ${body.error_message ?? ''}`, 'error');
    default:
      return down(`${body.status ?? 'no status'}: ${body.error_message ?? ''}`);
  }
}

function foundInGoogle(body: GoogleResponse): GeocodeResult | null {
  const first = body.results?.[0];
  const lat = first?.geometry?.location?.lat;
  const lng = first?.geometry?.location?.lng;
  if (typeof lat !== 'number' || typeof lng !== 'number' || Math.abs(lat) > 90 || Math.abs(lng) > 180) return null;
  return { kind: 'found', latitude: lat, longitude: lng, formattedAddress: first?.formatted_address ?? '', source: 'google' };
}

function down(reason: string, level: 'warn' | 'error' = 'warn'): GeocodeResult {
  console[level](JSON.stringify({ level, msg: 'geocoder unavailable', reason }));
  return { kind: 'down', reason };
}
