import { createDb } from '../db/client';
import type { Database } from '../env';
import { factory } from './factory';

/** A caller's request id is echoed only if it is short and plain, so it is safe in logs and headers. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** `c.get('requestId')`: the caller's X-Request-Id when sane, else a new UUID; echoed on every answer, errors included. */
export const requestId = factory.createMiddleware(async (c, next) => {
  const incoming = c.req.header('X-Request-Id');
  c.set('requestId', incoming && SANE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID());
  await next();
  c.header('X-Request-Id', c.get('requestId'));
});

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

/**
 * `c.get('db')`: Drizzle over this request's D1 session; the session's bookmark goes back in X-D1-Bookmark. The
 * drizzle instance is made on first use: the hot routes use only its `$client` (hand-written SQL), and building it
 * (a relational query builder per table) was ~2% of a GET /events/:id in the bench's CPU profile.
 */
export const d1Session = factory.createMiddleware(async (c, next) => {
  const session = openD1Session(c.env.DB, c.req.method, c.req.header(D1_BOOKMARK_HEADER));
  c.set('db', lazyDb(session));
  await next();
  const bookmark = session.getBookmark();
  if (bookmark) c.header(D1_BOOKMARK_HEADER, bookmark);
});

/** A Database that builds its drizzle instance only when something other than `$client` is asked of it. */
function lazyDb(session: D1DatabaseSession): Database {
  let db: Database | undefined;
  return new Proxy({} as Database, {
    get(_target, property) {
      if (property === '$client') return session;
      db ??= createDb(session);
      return Reflect.get(db, property, db);
    },
  });
}
