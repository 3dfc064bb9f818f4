import type { HonoOptions } from 'hono/hono-base';
import { createFactory } from 'hono/factory';
import type { AppEnv } from '../env';

/** The one factory: every router, middleware and handler is built from it, so all share the typed AppEnv. */
export const factory = createFactory<AppEnv>();

/** A module's router, mounted at `/` by app.ts. */
export const createRouter = (options?: HonoOptions<AppEnv>) => factory.createApp(options);
