import { Hono } from 'hono';

/** Ceiling: one D1 round trip, a primary-key SELECT of one event row, answered as JSON. */
export default new Hono<{ Bindings: { DB: D1Database } }>().get('/events/:id', async (c) => {
  const row = await c.env.DB.prepare('SELECT * FROM events WHERE id = ?')
    .bind(Number(c.req.param('id')))
    .first();
  return row ? c.json({ event: row }) : c.json({ msg: 'not found' }, 404);
});
