import { GAZETTEER_PLACES } from './gazetteer-data';

export interface GazetteerPlace {
  name: string;
  country: string;
  latitude: number;
  longitude: number;
  /** Of several places with one name, the one chosen when the query does not say which. */
  primary: boolean;
}

/** Case, accents and punctuation do not matter: "RISHIKESH", "Rishīkesh" and "rishikesh." are one key. */
export function placeKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

let index: Map<string, GazetteerPlace[]> | null = null;

/** Parsed on first use only, so a Worker that never geocodes offline never pays for it. */
function places(): Map<string, GazetteerPlace[]> {
  if (index) return index;
  index = new Map();
  let country = '';
  for (const line of GAZETTEER_PLACES.split('\n')) {
    if (line.startsWith('#')) {
      country = line.slice(1);
      continue;
    }
    const [name, lat, lng] = line.split('|') as [string, string, string];
    const primary = name.startsWith('*');
    const place = { name: primary ? name.slice(1) : name, country, latitude: Number(lat), longitude: Number(lng), primary };
    const key = placeKey(place.name);
    index.set(key, [...(index.get(key) ?? []), place]);
  }
  return index;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

export function countryName(code: string): string {
  return regionNames.of(code) ?? code;
}

/**
 * Looks a free-text location up offline. Comma-separated parts are tried in order ("Parmarth Niketan, Rishikesh"
 * finds Rishikesh); a later part naming a country ("Delhi, US") picks that country's place of the name.
 * Otherwise the primary place of that name wins: an Indian region, else the most populous city.
 */
export function lookupPlace(query: string): GazetteerPlace | null {
  const parts = query.split(',').map(placeKey).filter(Boolean);
  const whole = places().get(placeKey(query));
  if (whole) return whole.find((p) => p.primary) ?? whole[0]!;
  for (const [i, part] of parts.entries()) {
    const candidates = places().get(part);
    if (!candidates) continue;
    const qualifiers = new Set(parts.slice(i + 1));
    return (
      candidates.find((p) => qualifiers.has(p.country.toLowerCase()) || qualifiers.has(placeKey(countryName(p.country)))) ??
      candidates.find((p) => p.primary) ??
      candidates[0]!
    );
  }
  return null;
}
