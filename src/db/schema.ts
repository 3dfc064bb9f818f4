import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Every timestamp is stored as epoch milliseconds (UTC) and shown as ISO 8601 with `Z`. */
const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' });
const createdAt = () => timestamp('created_at').notNull().default(sql`(unixepoch('subsec') * 1000)`);

export const ROLES = ['member', 'facilitator', 'admin'] as const;

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    /** Trimmed and lower-cased before it is stored, so uniqueness is case-insensitive. */
    email: text('email').notNull(),
    role: text('role', { enum: ROLES }).notNull().default('member'),
    passwordAlgorithm: text('password_algorithm').notNull(),
    passwordIterations: integer('password_iterations').notNull(),
    passwordSalt: text('password_salt').notNull(),
    passwordHash: text('password_hash').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at').notNull().default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(t.email),
    check('users_role_valid', sql`${t.role} IN ('member', 'facilitator', 'admin')`),
    check('users_email_normalised', sql`${t.email} = lower(trim(${t.email})) AND length(${t.email}) BETWEEN 3 AND 254`),
    check('users_name_length', sql`length(${t.name}) BETWEEN 1 AND 100`),
    check('users_password_iterations_cap', sql`${t.passwordIterations} BETWEEN 1 AND 100000`),
  ],
);

/**
 * Opaque refresh tokens, stored as SHA-256 hashes only. Rotation marks the old row `replaced_by_hash`;
 * presenting a rotated-away token again revokes its whole family (token theft detection).
 */
export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    familyId: text('family_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    replacedByHash: text('replaced_by_hash'),
    expiresAt: timestamp('expires_at').notNull(),
    revokedAt: timestamp('revoked_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('refresh_tokens_hash_unique').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_user_idx').on(t.userId),
  ],
);

/** One row per failed login, so the limit per email holds across isolates and is easy to reason about. */
export const loginFailures = sqliteTable(
  'login_failures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    email: text('email').notNull(),
    failedAt: timestamp('failed_at').notNull(),
  },
  (t) => [index('login_failures_email_time_idx').on(t.email, t.failedAt)],
);

export const facilitators = sqliteTable(
  'facilitators',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    bio: text('bio'),
    crmId: text('crm_id').notNull(),
    userId: integer('user_id').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at').notNull().default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    uniqueIndex('facilitators_crm_id_unique').on(t.crmId),
    uniqueIndex('facilitators_user_id_unique').on(t.userId),
    check('facilitators_name_length', sql`length(${t.name}) BETWEEN 1 AND 100`),
    check('facilitators_crm_id_length', sql`length(${t.crmId}) BETWEEN 1 AND 64`),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type FacilitatorRow = typeof facilitators.$inferSelect;
