/**
 * A D1 binding that sits in front of the real local D1 and records every round trip (one `run`/`all`/`first`/`raw`,
 * one `batch`, one `exec`), with the SQL and how many rows it changed. It can also fail the Nth round trip the way
 * real D1 does (an Error whose message starts `D1_ERROR:`), before the statement runs (nothing reaches the
 * database, as when D1 rejects a batch whole) or after it ran (the write committed but the answer was lost).
 *
 * The app is called with it as `app.fetch(request, { ...env, DB: instrumented.db }, ctx)`, so the write check of a
 * request looks only at that request's statements and other test files writing to the shared D1 cannot disturb it.
 */

export interface D1RoundTrip {
  kind: 'run' | 'all' | 'first' | 'raw' | 'batch' | 'exec';
  sql: string[];
  /** Rows written (inserted, updated or deleted) by the round trip; 0 for reads and for a failed round trip. */
  changes: number;
  failed: boolean;
}

export interface FaultPlan {
  /** 1-based index of the round trip that fails; undefined never fails. */
  failAt?: number;
  /** `before` (default): the statement never reaches D1. `after`: it ran, then the connection was lost. */
  when?: 'before' | 'after';
  message?: string;
}

export const D1_NETWORK_LOST = 'D1_ERROR: Network connection lost.';

/** Does this SQL write (INSERT/UPDATE/DELETE/REPLACE), possibly after a WITH clause? */
export function isWriteSql(sql: string): boolean {
  return /\b(insert|update|delete|replace)\b/i.test(sql.replace(/'[^']*'/g, "''")) && !/^\s*select\b/i.test(sql);
}

/** The table a write statement changes. */
export function writtenTable(sql: string): string | null {
  const match = /\b(?:insert\s+(?:or\s+\w+\s+)?into|update(?:\s+or\s+\w+)?|delete\s+from|replace\s+into)\s+["`]?(\w+)/i.exec(sql);
  return match ? match[1]!.toLowerCase() : null;
}

function changesOf(result: unknown): number {
  const meta = (result as { meta?: { changes?: number } } | null)?.meta;
  return typeof meta?.changes === 'number' ? meta.changes : 0;
}

export function instrumentD1(real: D1Database, plan: FaultPlan = {}) {
  const trips: D1RoundTrip[] = [];
  const statements = new WeakMap<object, { real: D1PreparedStatement; sql: string }>();

  async function roundTrip<T>(kind: D1RoundTrip['kind'], sql: string[], execute: () => Promise<T>, count: (r: T) => number) {
    const trip: D1RoundTrip = { kind, sql, changes: 0, failed: false };
    trips.push(trip);
    const failing = plan.failAt === trips.length;
    if (failing && (plan.when ?? 'before') === 'before') {
      trip.failed = true;
      throw new Error(plan.message ?? D1_NETWORK_LOST);
    }
    const result = await execute();
    trip.changes = count(result);
    if (failing) {
      trip.failed = true;
      throw new Error(plan.message ?? D1_NETWORK_LOST);
    }
    return result;
  }

  function wrapStatement(realStatement: D1PreparedStatement, sql: string): D1PreparedStatement {
    const wrapper = {
      bind: (...values: unknown[]) => wrapStatement(realStatement.bind(...values), sql),
      run: () => roundTrip('run', [sql], () => realStatement.run(), changesOf),
      all: () => roundTrip('all', [sql], () => realStatement.all(), changesOf),
      first: (column?: string) =>
        roundTrip(
          'first',
          [sql],
          () => (column === undefined ? realStatement.first() : realStatement.first(column)),
          () => 0,
        ),
      // `raw()` hides meta; a write through it is counted as one row so the write check still sees it.
      raw: (options?: { columnNames?: boolean }) =>
        roundTrip(
          'raw',
          [sql],
          () => realStatement.raw(options as { columnNames: true }),
          () => (isWriteSql(sql) ? 1 : 0),
        ),
    };
    statements.set(wrapper, { real: realStatement, sql });
    return wrapper as unknown as D1PreparedStatement;
  }

  const unwrap = (statement: D1PreparedStatement) => {
    const known = statements.get(statement);
    if (!known) throw new Error('instrumentD1: batch got a statement this binding did not prepare');
    return known;
  };

  /** The database and its sessions (D1 read replication) share one log and one fault plan. */
  function wrapTarget(target: D1Database | D1DatabaseSession) {
    return {
      prepare: (sql: string) => wrapStatement(target.prepare(sql), sql),
      batch: (list: D1PreparedStatement[]) => {
        const unwrapped = list.map(unwrap);
        return roundTrip(
          'batch',
          unwrapped.map((s) => s.sql),
          () => target.batch(unwrapped.map((s) => s.real)),
          (results) => results.reduce((sum, r) => sum + changesOf(r), 0),
        );
      },
    };
  }

  const db = {
    ...wrapTarget(real),
    exec: (sql: string) =>
      roundTrip(
        'exec',
        [sql],
        () => real.exec(sql),
        () => (isWriteSql(sql) ? 1 : 0),
      ),
    dump: () => real.dump(),
    withSession: (constraintOrBookmark?: string) => {
      const session = real.withSession(constraintOrBookmark as D1SessionConstraint);
      return { ...wrapTarget(session), getBookmark: () => session.getBookmark() };
    },
  };

  return {
    db: db as unknown as D1Database,
    trips,
    /** Round trips that changed rows, with the tables they wrote. */
    writes: () =>
      trips
        .filter((t) => t.changes > 0)
        .map((t) => ({
          ...t,
          tables: t.sql
            .filter(isWriteSql)
            .map(writtenTable)
            .filter((x): x is string => !!x),
        })),
  };
}

/** A queue binding that records what was sent and can fail every send, like a Queues outage. */
export function recordingQueue(options: { fail?: boolean } = {}) {
  const sent: unknown[] = [];
  const queue = {
    send: async (body: unknown) => {
      if (options.fail) throw new Error('Queue send failed: internal error');
      sent.push(body);
    },
    sendBatch: async (messages: Iterable<{ body: unknown }>) => {
      if (options.fail) throw new Error('Queue sendBatch failed: internal error');
      for (const message of messages) sent.push(message.body);
    },
  };
  return { queue: queue as unknown as Queue, sent };
}
