import { and, asc, eq, gte, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import { events, facilitators, type EventRow } from '../../db/schema';
import type { Database } from '../../env';
import { decodeCursor, encodeCursor } from '../../http/page';
import { eventWithFacilitatorColumns, type EventWithFacilitator } from './read-model';

export interface EventFilters {
  status?: EventRow['status'];
  type?: string;
  facilitator_id?: number;
  series_id?: number;
  from?: Date;
  to?: Date;
  q?: string;
  limit?: number;
  cursor?: string;
}

export const DEFAULT_PAGE_SIZE = 50;
const MAX_QUERY_WORDS = 10;

/** The cursor is the last row's sort key, opaque to clients: base64url of `[starts_at ms, id]`. */
const encodeEventCursor = (event: EventRow) => encodeCursor([event.startsAt.getTime(), event.id]);
const decodeEventCursor = (cursor: string) => decodeCursor(cursor, 2) as [number, number];

/** A word's letter and digit runs, as the full-text index splits text (unicode61, diacritics removed), each a prefix. */
function ftsTerms(word: string): string[] {
  return word
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((term) => `"${term}"*`);
}

/**
 * Each word must appear in the title or the description (case-insensitive; % and _ are literal). The full-text index
 * (events_fts, FTS5) finds the candidates, every word's runs as prefixes of indexed words; the LIKE then holds each
 * candidate to the exact word. A word with no letter or digit (say "%") has only the LIKE.
 */
function wordsMatch(q: string): SQL[] {
  const words = q.split(/\s+/).filter(Boolean).slice(0, MAX_QUERY_WORDS);
  const terms = words.flatMap(ftsTerms);
  const exact = words.map((word) => {
    const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return or(sql`${events.title} LIKE ${pattern} ESCAPE '\\'`, sql`${events.description} LIKE ${pattern} ESCAPE '\\'`)!;
  });
  const indexed = terms.length
    ? [sql`${events.id} IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ${terms.join(' ')})`]
    : [];
  return [...indexed, ...exact];
}

/**
 * One page of events in (starts_at, id) order, keyset-paginated; without a status, cancelled events are left out.
 * Every filter has an index in that order (schema.ts), so a page reads about as many rows as it returns.
 */
export function eventsPageQuery(db: Database, filters: EventFilters) {
  const limit = filters.limit ?? DEFAULT_PAGE_SIZE;
  const after = filters.cursor === undefined ? null : decodeEventCursor(filters.cursor);
  const conditions: Array<SQL | undefined> = [
    filters.status ? eq(events.status, filters.status) : ne(events.status, 'cancelled'),
    filters.type ? sql`lower(${events.type}) = ${filters.type.toLowerCase()}` : undefined,
    filters.facilitator_id ? eq(events.facilitatorId, filters.facilitator_id) : undefined,
    filters.series_id ? eq(events.seriesId, filters.series_id) : undefined,
    filters.from ? gte(events.startsAt, filters.from) : undefined,
    filters.to ? lt(events.startsAt, filters.to) : undefined,
    ...(filters.q ? wordsMatch(filters.q) : []),
    after ? sql`(${events.startsAt}, ${events.id}) > (${after[0]}, ${after[1]})` : undefined,
  ];
  return db
    .select(eventWithFacilitatorColumns)
    .from(events)
    .innerJoin(facilitators, eq(facilitators.id, events.facilitatorId))
    .where(and(...conditions))
    .orderBy(asc(events.startsAt), asc(events.id))
    .limit(limit + 1);
}

export async function listEvents(db: Database, filters: EventFilters) {
  const limit = filters.limit ?? DEFAULT_PAGE_SIZE;
  const rows: EventWithFacilitator[] = await eventsPageQuery(db, filters);
  const page = rows.slice(0, limit);
  return { events: page, nextCursor: rows.length > limit ? encodeEventCursor(page[page.length - 1]!) : null };
}
