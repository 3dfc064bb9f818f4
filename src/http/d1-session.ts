/**
 * D1 read replication through the Sessions API. Reads may be answered by the nearest replica
 * ('first-unconstrained'); writes start at the primary ('first-primary'). A client that sends back the
 * `X-D1-Bookmark` of its last response is served by a database at least that fresh, so it reads its own writes.
 */
export const D1_BOOKMARK_HEADER = 'X-D1-Bookmark';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** D1 bookmarks are hex groups joined by dashes; anything else is ignored rather than sent to D1. */
const SANE_BOOKMARK = /^[0-9A-Za-z-]{1,256}$/;

export function openD1Session(d1: D1Database, method: string, bookmark: string | undefined): D1DatabaseSession {
  if (!READ_METHODS.has(method)) return d1.withSession('first-primary');
  return d1.withSession(bookmark && SANE_BOOKMARK.test(bookmark) ? bookmark : 'first-unconstrained');
}
