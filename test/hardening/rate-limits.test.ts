import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import { collectOperations, type Operation } from '../../src/http/openapi';
import { expectError } from '../support/http';
import { createUser } from '../support/fixtures';
import { inHardeningDb } from './world';
import { hardCall } from './client';
import { changedTables, prepareHardeningDb, snapshot } from './isolated-db';

/**
 * OWASP API4 (unrestricted resource consumption) and API6 (unrestricted access to sensitive business flows): the
 * abuse limits of the Workers Rate Limiting binding, as wrangler.toml configures them, through the simulated binding
 * (Miniflare counts per key in windows aligned to the wall clock). Written out here, independently of the route marks.
 */
const PER_USER = 30;
const PER_ADDRESS = 300;
const LIMITED: Record<string, 'user' | 'address'> = {
  'POST /book': 'user',
  'POST /create-payment': 'user',
  'DELETE /cancel-booking/:id': 'user',
  'POST /series/:id/book': 'user',
  'POST /bookings/:id/claim': 'user',
  'POST /bookings/:id/transfer': 'user',
  'POST /passes/:id/purchase': 'user',
  'POST /password/change': 'user',
  'DELETE /me': 'user',
  'POST /register': 'address',
  'POST /login': 'address',
  'POST /token/refresh': 'address',
  'POST /password/forgot': 'address',
  'POST /password/reset': 'address',
};

const operations = collectOperations(app);
const key = (op: Operation) => `${op.method} ${op.path}`;

beforeAll(prepareHardeningDb);

let addressCounter = 0;
const uniqueAddress = () => `2001:db8::${(Date.now() % 0xffff).toString(16)}:${(++addressCounter).toString(16)}`;

/**
 * Runs `attempt` again (with a fresh user or address) if the minute rolled over while it ran: the simulated windows
 * are aligned to the wall clock, and a roll-over in the middle resets the count. Two roll-overs in a row cannot happen.
 */
async function withinOneWindow(attempt: () => Promise<void>) {
  const minute = () => Math.floor(Date.now() / 60_000);
  const started = minute();
  try {
    await attempt();
  } catch (error) {
    if (minute() === started) throw error;
    await attempt();
  }
}

describe('abuse limits (Workers Rate Limiting binding)', () => {
  it('the routes that mark a limit are exactly the expected ones, each with its kind', () => {
    const marked = Object.fromEntries(operations.filter((op) => op.doc.rateLimit).map((op) => [key(op), op.doc.rateLimit]));
    expect(marked).toEqual(LIMITED);
  });

  it.each(operations.filter((op) => op.doc.rateLimit).map((op) => [key(op), op] as const))(
    '%s: over its limit in a minute it is 429 rate_limited with Retry-After, writing nothing; others are still served',
    async (_key, op) => {
      const byUser = op.doc.rateLimit === 'user';
      const limit = byUser ? PER_USER : PER_ADDRESS;
      const path = op.path.replace(/:id/g, '999999999');
      // An empty body: answered 400 (or 404 for an unknown id) after the limiter has counted it; cheap to send.
      const body = op.method === 'POST' || op.validations.some((v) => v.target === 'json') ? { body: {} } : {};
      await withinOneWindow(async () => {
        const user = byUser ? await createUser('member', inHardeningDb) : null;
        const address = uniqueAddress();
        const send = (as: { token?: string; address?: string }) =>
          hardCall(op.method, path, {
            ...body,
            realRateLimits: true,
            token: as.token,
            headers: as.address ? { 'CF-Connecting-IP': as.address } : {},
          });
        const caller = byUser ? { token: user!.token } : { address };
        for (let i = 0; i < limit; i++) {
          const res = await send(caller);
          expect(res.status, `request ${i + 1} of ${limit}`).not.toBe(429);
        }
        const before = await snapshot();
        const over = await send(caller);
        expectError(over, 429, 'rate_limited');
        expect(over.headers.get('Retry-After')).toBe('60');
        expect(changedTables(before, await snapshot())).toEqual([]);
        // Someone else (another user; another address) is not affected.
        const other = byUser ? { token: (await createUser('member', inHardeningDb)).token } : { address: uniqueAddress() };
        expect((await send(other)).status).not.toBe(429);
      });
    },
    60_000,
  );

  it('a request without CF-Connecting-IP (not through Cloudflare: wrangler dev, tests) is not counted per address', async () => {
    for (let i = 0; i < PER_ADDRESS + 5; i++) {
      const res = await hardCall('POST', '/password/forgot', { body: {}, realRateLimits: true });
      expect(res.status).toBe(400);
    }
  });
});
