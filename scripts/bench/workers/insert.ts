import { Hono } from 'hono';

/** Ceiling: one D1 round trip that writes, a single-row INSERT into a table the bench creates. */
export default new Hono<{ Bindings: { DB: D1Database } }>().post('/', async (c) => {
  const body = await c.req.json<{ n?: number }>();
  const row = await c.env.DB.prepare('INSERT INTO bench_ceiling_writes (n, created_at) VALUES (?, ?) RETURNING id')
    .bind(Number(body.n ?? 0), Date.now())
    .first<{ id: number }>();
  return c.json({ id: row?.id }, 201);
});
