import type { EventRow } from '../../db/schema';
import type { Database } from '../../env';
import { decodeCursor, encodeCursor } from '../../http/page';
import { EVENT_SQL, readEvent } from './read-model';

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
function wordsMatch(q: string, where: Condition[]) {
  const words = q.split(/\s+/).filter(Boolean).slice(0, MAX_QUERY_WORDS);
  const terms = words.flatMap(ftsTerms);
  if (terms.length) where.push(['e.id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)', terms.join(' ')]);
  for (const word of words) {
    const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push([`(e.title LIKE ? ESCAPE '\\' OR e.description LIKE ? ESCAPE '\\')`, pattern, pattern]);
  }
}

/** A WHERE condition and its bound values. */
type Condition = [sql: string, ...params: unknown[]];

/**
 * One page of events in (starts_at, id) order, keyset-paginated; without a status, cancelled events are left out.
 * Every filter has an index in that order (schema.ts), so a page reads about as many rows as it returns. Written as
 * SQL (not built by drizzle per request): the statement and its bound values.
 */
export function eventsPageQuery(filters: EventFilters): { sql: string; params: unknown[] } {
  const limit = filters.limit ?? DEFAULT_PAGE_SIZE;
  const after = filters.cursor === undefined ? null : decodeEventCursor(filters.cursor);
  const where: Condition[] = [filters.status ? ['e.status = ?', filters.status] : ["e.status <> 'cancelled'"]];
  if (filters.type) where.push(['lower(e.type) = ?', filters.type.toLowerCase()]);
  if (filters.facilitator_id) where.push(['e.facilitator_id = ?', filters.facilitator_id]);
  if (filters.series_id) where.push(['e.series_id = ?', filters.series_id]);
  if (filters.from) where.push(['e.starts_at >= ?', filters.from.getTime()]);
  if (filters.to) where.push(['e.starts_at < ?', filters.to.getTime()]);
  if (filters.q) wordsMatch(filters.q, where);
  if (after) where.push(['(e.starts_at, e.id) > (?, ?)', after[0], after[1]]);
  return {
    sql: `SELECT ${EVENT_SQL.columns} FROM ${EVENT_SQL.from} WHERE ${where.map(([condition]) => condition).join(' AND ')}
      ORDER BY e.starts_at, e.id LIMIT ?`,
    params: [...where.flatMap(([, ...params]) => params), limit + 1],
  };
}

export async function listEvents(db: Database, filters: EventFilters) {
  const limit = filters.limit ?? DEFAULT_PAGE_SIZE;
  const query = eventsPageQuery(filters);
  const { results } = await db.$client
    .prepare(query.sql)
    .bind(...query.params)
    .all();
  const page = results.slice(0, limit).map(readEvent);
  return { events: page, nextCursor: results.length > limit ? encodeEventCursor(page[page.length - 1]!) : null };
}
