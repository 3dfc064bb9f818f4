import worker from '../../../src';

/**
 * The real app with its D1 binding wrapped to record every round trip (each `first/all/run/raw` of a statement
 * and each `batch` is one trip to the database). Used by `npm run bench` one request at a time, never under load:
 * `GET /__bench/last` returns the statements of the previous request, which the bench re-runs with
 * EXPLAIN QUERY PLAN and reads `rows_read` from.
 */
interface Recorded {
  sql: string;
  params: unknown[];
  kind: 'statement' | 'batch';
  /** Wall time from the call to its answer (workerd's clock moves on I/O, which is what a D1 trip is). */
  ms?: number;
}

let last: { totalMs: number; trips: Recorded[] } = { totalMs: 0, trips: [] };

/** Records one trip and its duration once it settles. */
function timed<T>(log: Recorded[], entry: Recorded, result: Promise<T>): Promise<T> {
  const started = performance.now();
  log.push(entry);
  return result.finally(() => (entry.ms = performance.now() - started));
}

type Statement = D1PreparedStatement & { real?: D1PreparedStatement; sql?: string };

function recordStatement(real: D1PreparedStatement, sql: string, params: unknown[], log: Recorded[]): Statement {
  const trip = <T>(result: Promise<T>) => timed(log, { sql, params, kind: 'statement' }, result);
  const wrapped = {
    real,
    sql,
    bind: (...values: unknown[]) => recordStatement(real.bind(...values), sql, values, log),
    first: (column?: string) => trip(column === undefined ? real.first() : real.first(column)),
    all: () => trip(real.all()),
    run: () => trip(real.run()),
    raw: (options?: { columnNames?: boolean }) => trip(real.raw(options as { columnNames: true })),
  };
  return wrapped as unknown as Statement;
}

function recordDatabase(real: D1Database | D1DatabaseSession, log: Recorded[]): D1Database {
  const wrapped = {
    prepare: (sql: string) => recordStatement(real.prepare(sql), sql, [], log),
    batch: (statements: Statement[]) =>
      timed(
        log,
        { sql: `batch: ${statements.map((s) => s.sql ?? '?').join(' ; ')}`, params: [], kind: 'batch' },
        real.batch(statements.map((s) => s.real ?? s)),
      ),
    exec: (sql: string) => timed(log, { sql, params: [], kind: 'statement' }, (real as D1Database).exec(sql)),
    withSession: (constraint?: string) => recordDatabase((real as D1Database).withSession(constraint), log),
    getBookmark: () => (real as D1DatabaseSession).getBookmark?.() ?? null,
    dump: () => (real as D1Database).dump(),
  };
  return wrapped as unknown as D1Database;
}

export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === '/__bench/last') return Response.json(last);
    const log: Recorded[] = [];
    const started = performance.now();
    const response = await worker.fetch(request, { ...env, DB: recordDatabase(env.DB, log) }, ctx);
    const body = await response.arrayBuffer();
    last = { totalMs: performance.now() - started, trips: log };
    return new Response(body, response);
  },
} satisfies ExportedHandler<Env>;
