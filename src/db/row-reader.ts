import { Column, getTableColumns, type InferSelectModel, type Table } from 'drizzle-orm';

/**
 * Reads a table's rows out of hand-written SQL with the same values drizzle would give (Dates, booleans, enums),
 * without building the query or mapping the row through drizzle on every request: on the hot paths, drizzle's
 * query building and row mapping were a quarter to a third of the Worker's CPU in the bench's profiles.
 *
 * `columns` is the SELECT list for the table under `alias`, each column named `<prefix><column>` so that two tables
 * read in one statement (a booking and its event) never collide; `read` turns one result row back into the table's
 * row type. The SQL and the decoders are built once per isolate from the drizzle schema, so a new column is read
 * without touching this.
 */
export interface RowReader<Row> {
  /** `alias."column" AS "prefixcolumn", ...` */
  readonly columns: string;
  read(row: Record<string, unknown>): Row;
}

export function rowReader<T extends Table>(table: T, alias: string, prefix = `${alias}_`): RowReader<InferSelectModel<T>> {
  const fields = Object.entries(getTableColumns(table) as Record<string, Column>).map(([key, column]) => ({
    key,
    name: `${prefix}${column.name}`,
    column,
    // Columns stored as they are read (integers, text, reals) skip the decoder call.
    identity: column.mapFromDriverValue === IDENTITY,
  }));
  const columns = fields.map((f) => `${alias}."${f.column.name}" AS "${f.name}"`).join(', ');
  return {
    columns,
    read(row) {
      const out: Record<string, unknown> = {};
      for (const f of fields) {
        const value = row[f.name];
        out[f.key] = value === null || value === undefined ? null : f.identity ? value : f.column.mapFromDriverValue(value);
      }
      return out as InferSelectModel<T>;
    },
  };
}

/** Drizzle's base `Column.mapFromDriverValue`: the value as stored. */
const IDENTITY = Column.prototype.mapFromDriverValue;
