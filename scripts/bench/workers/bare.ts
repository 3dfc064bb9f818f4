import { Hono } from 'hono';

/** Ceiling: the cheapest JSON answer a Hono route on this runtime can give. */
export default new Hono().get('/', (c) => c.json({ status: 'ok' }));
