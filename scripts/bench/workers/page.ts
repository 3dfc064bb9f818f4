import { Hono } from 'hono';

/** Ceiling for list pages: one D1 round trip reading 50 event rows in (starts_at, id) order, answered as JSON. */
export default new Hono<{ Bindings: { DB: D1Database } }>().get('/', async (c) => {
  const { results } = await c.env.DB.prepare(
    "SELECT * FROM events WHERE status <> 'cancelled' ORDER BY starts_at, id LIMIT 50",
  ).all();
  return c.json({ events: results });
});
