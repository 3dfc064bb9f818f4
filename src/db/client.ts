import { createTableRelationsHelpers, extractTablesRelationalConfig } from 'drizzle-orm';
import { DrizzleD1Database, SQLiteD1Session } from 'drizzle-orm/d1';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import * as schema from './schema';
import type { Database } from '../env';

/**
 * What `drizzle(d1, { schema })` derives from the schema on every call (the relational query config), derived once
 * per isolate instead: a client is made per request (each request has its own D1 session), and rebuilding the
 * config showed up as ~3% of a GET /events/:id in the bench's CPU profile.
 */
const tables = extractTablesRelationalConfig(schema, createTableRelationsHelpers);
const relational = { fullSchema: schema, schema: tables.tables, tableNamesMap: tables.tableNamesMap };
const dialect = new SQLiteAsyncDialect();

/** Drizzle over a D1 binding or a D1 session (read replication); `$client` is what it runs on. */
export function createDb(d1: D1Database | D1DatabaseSession): Database {
  const client = d1 as D1Database;
  const session = new SQLiteD1Session(client, dialect, relational, {});
  const db = new DrizzleD1Database('async', dialect, session, relational) as unknown as Database;
  db.$client = client;
  return db;
}
