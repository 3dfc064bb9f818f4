/**
 * D1's atomic unit is the batch (no interactive transactions): every statement of a batch commits, or none does.
 * `Batch` collects raw statements and drizzle query builders in order; `add` returns a handle, and the result is read
 * through that handle, never by position, so adding a statement to a batch cannot shift what another step reads.
 */

/** A raw statement, or a drizzle query builder (turned into one, so both kinds share one batch). */
export type BatchStep = D1PreparedStatement | { toSQL(): { sql: string; params: unknown[] } };

declare const rowType: unique symbol;

/** A statement's place in its batch; `Row` is the shape of its RETURNING (or SELECT) rows. */
export interface StepRef<Row = Record<string, unknown>> {
  readonly index: number;
  readonly [rowType]?: Row;
}

export interface BatchResult {
  /** The rows the statement returned. */
  rows<Row>(step: StepRef<Row>): Row[];
  /** How many rows the statement changed. */
  changes(step: StepRef<unknown>): number;
}

export class Batch {
  private readonly statements: D1PreparedStatement[] = [];

  constructor(readonly d1: D1Database) {}

  add<Row = Record<string, unknown>>(step: BatchStep): StepRef<Row> {
    this.statements.push('toSQL' in step ? this.prepare(step.toSQL()) : step);
    return { index: this.statements.length - 1 };
  }

  /** A raw statement: `sql` with its parameters, numbered (?1) or positional (?). */
  sql<Row = Record<string, unknown>>(sql: string, ...params: unknown[]): StepRef<Row> {
    return this.add<Row>(this.d1.prepare(sql).bind(...params));
  }

  get size(): number {
    return this.statements.length;
  }

  async run(): Promise<BatchResult> {
    const results = await this.d1.batch<Record<string, unknown>>(this.statements);
    return {
      rows: <Row>(step: StepRef<Row>) => (results[step.index]?.results ?? []) as Row[],
      changes: (step) => results[step.index]?.meta.changes ?? 0,
    };
  }

  private prepare(query: { sql: string; params: unknown[] }): D1PreparedStatement {
    return this.d1.prepare(query.sql).bind(...query.params);
  }
}
