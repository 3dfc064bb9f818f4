import type { HonoOptions } from 'hono/hono-base';
import { createFactory } from 'hono/factory';
import type { AppEnv } from '../env';

/** The one factory: every router, middleware and handler is built from it, so all share the typed AppEnv. */
export const factory = createFactory<AppEnv>();

/** A module's router, mounted at `/` by app.ts. */
export const createRouter = (options?: HonoOptions<AppEnv>) => factory.createApp(options);

// Request variables (db, user, requestId) are read with `c.get('name')`, not `c.var.name`: hono builds a new object
// from all of them on every `c.var` access, which showed in the bench's CPU profiles of the hot routes.
