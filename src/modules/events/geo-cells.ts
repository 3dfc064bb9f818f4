import type { BoundingBox } from '../geo/great-circle';

/**
 * The map in 1° × 1° cells, as the generated column `events.geo_cell` numbers them: floor(lat + 90) × 1000 +
 * floor(lng + 180) (SQLite's CAST to INTEGER truncates, which is floor for these non-negative values). A search box
 * covering a few cells reads only the events in them through events_geo_cell_idx; reading the (latitude, longitude)
 * index instead walks the whole latitude band around the globe (32,680 index entries for a 50 km search at
 * 1,000,000 events in the bench, against the few hundred events that are near).
 */

/** Above this many cells (a radius over a few hundred km) the latitude band is the better read. */
export const MAX_CELLS = 100;

const cellLat = (lat: number) => Math.floor(lat + 90);
const cellLng = (lng: number) => Math.floor(lng + 180);

/** The cells a bounding box touches, or null when there are more than MAX_CELLS. */
export function cellsCovering(box: BoundingBox): number[] | null {
  const rows = cellLat(box.maxLat) - cellLat(box.minLat) + 1;
  const columns = box.lngRanges.reduce((sum, [west, east]) => sum + cellLng(east) - cellLng(west) + 1, 0);
  if (rows * columns > MAX_CELLS) return null;
  const cells: number[] = [];
  for (let row = cellLat(box.minLat); row <= cellLat(box.maxLat); row++) {
    for (const [west, east] of box.lngRanges) {
      for (let column = cellLng(west); column <= cellLng(east); column++) cells.push(row * 1000 + column);
    }
  }
  return cells;
}

/**
 * The FROM and the first WHERE condition of a search in `box`: the cells it covers through events_geo_cell_idx
 * (their numbers written into the SQL: integers computed here, never input), else the latitude band through
 * events_lat_lng_idx. INDEXED BY makes the plan explicit and fails loudly if the index ever goes.
 */
export function boxSource(box: BoundingBox): { from: string; where: string } {
  const cells = cellsCovering(box);
  return cells
    ? { from: 'events INDEXED BY events_geo_cell_idx', where: `geo_cell IN (${cells.join(', ')})` }
    : { from: 'events INDEXED BY events_lat_lng_idx', where: '1 = 1' };
}
