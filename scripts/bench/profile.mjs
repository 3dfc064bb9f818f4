// One request of a scenario sent through the profiling copy of the app (test/bench/profile.ts), which records its
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
  const statements = await (await fetch(`${urls.profile}/__bench/last`)).json();
  return { status: response.status, body, statements };
}

/** A 404 from the app's not-found handler means the route is not built yet (not a missing row). */
export const routeMissing = (result) => result.status === 404 && /^No route for/.test(result.body?.msg ?? '');

/** EXPLAIN QUERY PLAN and rows_read of every SELECT a probed request ran. */
export async function explain(db, statements) {
  const out = [];
  for (const { sql, params, kind } of statements) {
    if (kind !== 'statement' || !/^\s*(select|with)\b/i.test(sql)) {
      out.push({ sql, plan: null, rowsRead: null });
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
    out.push({ sql, plan: plan.results.map((row) => row.detail), rowsRead: run.meta.rows_read });
  }
  return out;
}
