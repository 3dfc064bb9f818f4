import type { Context } from 'hono';

/**
 * The client's address as Cloudflare saw it: CF-Connecting-IP, which Cloudflare sets on every request it forwards
 * (a client cannot choose it). Empty when the request did not come through Cloudflare: wrangler dev and the tests.
 */
export function clientAddress(c: Context): string {
  return c.req.header('CF-Connecting-IP')?.trim() ?? '';
}
