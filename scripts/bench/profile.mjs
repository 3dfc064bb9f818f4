// One request of a scenario sent through the profiling copy of the app (scripts/bench/workers/profile.ts), which records its
// D1 statements. Each SELECT is then re-run with EXPLAIN QUERY PLAN and for its `rows_read`.

/** Sends one request; returns its status, body and the D1 round trips it made. */
export async function probe(urls, request) {
  const headers = {};
  if (request.token) headers.Authorization = `Bearer ${request.token}`;
  if (request.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(urls.profile + request.path, {
    method: request.method,
    headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  const { totalMs, trips } = await (await fetch(`${urls.profile}/__bench/last`)).json();
  return { status: response.status, body, statements: trips, totalMs, bytes: text.length };
}

/** A 404 from the app's not-found handler means the route is not built yet (not a missing row). */
export const routeMissing = (result) => result.status === 404 && /^No route for/.test(result.body?.msg ?? '');

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Profiles a scenario one request at a time (`times` requests taken in turn from `requests`, so items meant to be
 * used once stay unique): D1 round trips, time waiting on D1 and total time in the Worker (medians), body size, and
 * the query plan and rows read of each SELECT of the last request. Null when the route does not exist yet.
 */
export async function profileScenario(urls, db, requests, times = 5) {
  const runs = [];
  for (let i = 0; i < times; i++) {
    const result = await probe(urls, requests[i % requests.length]);
    if (routeMissing(result)) return null;
    runs.push(result);
  }
  const last = runs.at(-1);
  if (process.env.BENCH_PROFILE_TRACE) {
    for (const run of runs) console.error(`  ${run.totalMs} ms: ${run.statements.map((t) => `${t.ms}`).join(' + ')}`);
  }
  return {
    status: last.status,
    body: last.status >= 400 ? last.body : undefined,
    trips: last.statements.length,
    d1Ms: median(runs.map((r) => r.statements.reduce((sum, s) => sum + (s.ms ?? 0), 0))),
    totalMs: median(runs.map((r) => r.totalMs)),
    bytes: last.bytes,
    statements: await explain(db, last.statements),
  };
}

/** EXPLAIN QUERY PLAN and rows_read of every SELECT a probed request ran. */
export async function explain(db, statements) {
  const out = [];
  for (const { sql, params, kind, ms } of statements) {
    if (kind !== 'statement' || !/^\s*(select|with)\b/i.test(sql)) {
      out.push({ sql, ms, plan: null, rowsRead: null });
      continue;
    }
    const plan = await db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all();
    const run = await db
      .prepare(sql)
      .bind(...params)
      .all();
    out.push({ sql, ms, plan: plan.results.map((row) => row.detail), rowsRead: run.meta.rows_read });
  }
  return out;
}
