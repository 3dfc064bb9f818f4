import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type * as schema from './db/schema';

/** Drizzle over D1; `$client` is the raw binding, for the few batches drizzle cannot express. */
/** Who a verified access token names: its user and the token version it was signed with. */
export interface TokenSubject {
  id: number;
  version: number;
}

export type Database = DrizzleD1Database<typeof schema> & { $client: D1Database };

export type Role = 'member' | 'facilitator' | 'admin';

/** The authenticated caller, as loaded from the database (not trusted from the token alone). */
export interface CurrentUser {
  id: number;
  name: string;
  email: string;
  role: Role;
}

/** The one typed environment every router and middleware is built from. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    db: Database;
    requestId: string;
    user: CurrentUser | null;
    /** The verified access token's user id and token version (set whenever a token was sent). */
    subject: TokenSubject | null;
  };
}
