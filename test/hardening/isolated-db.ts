import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

/**
 * The hardening suites run the app against their own D1 (`HARDENING_DB`, see vitest.config.ts), never touched by
 * other test files, so "nothing was written" can be checked on whole tables instead of guessed from row counts.
 */
export const hardeningDb = env.HARDENING_DB;

export async function prepareHardeningDb() {
  await applyD1Migrations(hardeningDb, env.TEST_MIGRATIONS);
}

/**
 * The tables that hold the app's data, as a condition on `sqlite_master m`: not SQLite's, Cloudflare's or the
 * migrations', and not full-text indexes or their shadow tables, which are derived from their content table (kept in
 * step by triggers; their row counts move with FTS5's own merges), so that table's fingerprint covers them.
 */
export const DATA_TABLES = `m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_cf_%' AND m.name <> 'd1_migrations'
  AND NOT EXISTS (SELECT 1 FROM sqlite_master v WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%'
    AND (m.name = v.name OR substr(m.name, 1, length(v.name) + 1) = v.name || '_'))`;

let tableColumns: Array<{ table: string; columns: string[] }> | null = null;

async function tables() {
  if (tableColumns) return tableColumns;
  const { results } = await hardeningDb
    .prepare(
      `SELECT m.name AS tbl, group_concat(p.name, char(31)) AS cols FROM sqlite_master m, pragma_table_info(m.name) p
       WHERE ${DATA_TABLES}
       GROUP BY m.name ORDER BY m.name`,
    )
    .all<{ tbl: string; cols: string }>();
  tableColumns = results.map((r) => ({ table: r.tbl, columns: r.cols.split('\u001f') }));
  return tableColumns;
}

/** Every row of every table, as one JSON string per table, read in a single batch. */
export async function snapshot(): Promise<Map<string, string>> {
  const list = await tables();
  const results = await hardeningDb.batch<{ rows: string }>(
    list.map(({ table, columns }) =>
      hardeningDb.prepare(
        `SELECT json_group_array(json_array(${columns.map((c) => `"${c}"`).join(', ')})) AS rows
         FROM (SELECT * FROM "${table}" ORDER BY rowid)`,
      ),
    ),
  );
  return new Map(list.map(({ table }, i) => [table, results[i]!.results[0]!.rows]));
}

/** The tables whose content differs between two snapshots. */
export function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after.keys()].filter((table) => before.get(table) !== after.get(table));
}
