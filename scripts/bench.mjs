// `npm run bench`: every hot route measured against the runtime's own ceiling, in one run (issue 7).
// Builds the deployable bundle, serves it with workerd driven by Miniflare directly, loads data through the D1
// binding, drives each scenario with wrk (or autocannon) on 127.0.0.1 and prints one table.
// Settings: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (50), BENCH_LOGIN_CONNECTIONS (8),
// BENCH_COLD_STARTS (3), BENCH_PORT (8821: the app's port, then one port each for the profiling copy, Miniflare's
// entry, the cold starts, the inspector and every ceiling of CEILINGS in build.mjs), BENCH_KEEP=1 keeps the temp dir,
// BENCH_ONLY=key,... runs only those scenarios, BENCH_CPU_PROFILE=key,... samples the app's isolate while they run,
// BENCH_GROWTH=N (e.g. 1000000) grows the catalogue to N events after everything else and runs the nearby and list
// scenarios again (`npm run bench:growth`).
// Keys: nearby-N, type-N, q-N, status-N, week-N for N = 1000, 10000, 100000 (and the BENCH_GROWTH size); list-1000
// and list-N for the growth size; ceilings bare, select, insert, page, page-json, book-batch; event, list, book, login,
// mine; checkin, book-pass, series-book, calendar, alternatives.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { CEILINGS, buildAll } from './bench/build.mjs';
import * as data from './bench/data.mjs';
import { loadGenerator, measure } from './bench/load.mjs';
import { startCpuProfile, summarise, writeProfile } from './bench/cpu-profile.mjs';
import { cpuSeconds, workerdPid } from './bench/cpu-time.mjs';
import { profileScenario } from './bench/profile.mjs';
import { machine, markdownTable, profileRows, rows, textTable } from './bench/report.mjs';
import { BENCH_JWT_SECRET, appWorkerOptions, measureColdStarts, startServer } from './bench/server.mjs';
import { race } from './bench/race.mjs';

const env = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const SECONDS = Math.max(1, Math.round(env('BENCH_SECONDS', 10)));
const WARMUP = Math.max(0, Math.round(env('BENCH_WARMUP_SECONDS', 2)));
const CONNECTIONS = env('BENCH_CONNECTIONS', 50);
const LOGIN_CONNECTIONS = env('BENCH_LOGIN_CONNECTIONS', 8);
const COLD_STARTS = env('BENCH_COLD_STARTS', 3);
const PROFILE_TIMES = env('BENCH_PROFILE_TIMES', 5);
const BASE_PORT = env('BENCH_PORT', 8821);
const THREADS = Math.min(2, Math.max(1, os.availableParallelism() - 1));
/** One port each, from BENCH_PORT up: the app first, then the fixed ones, then the ceilings in CEILINGS order. */
const PORT_NAMES = ['app', 'profile', 'entry', 'cold', 'coldEntry', 'inspector', ...CEILINGS];
const ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, BASE_PORT + i]));
const keys = (name) => (process.env[name] ? new Set(process.env[name].split(',').map((k) => k.trim())) : null);
const ONLY = keys('BENCH_ONLY');
const CPU_PROFILE = keys('BENCH_CPU_PROFILE') ?? new Set();
const wanted = (key) => !ONLY || ONLY.has(key);
/** BENCH_GROWTH: the catalogue size of the growth stage (0: none). */
const GROWTH = Math.round(env('BENCH_GROWTH', 0));

/**
 * Users by purpose, as contiguous id ranges; the bookers must outnumber the bookings any run can make. POST /book and
 * the book-batch ceiling get MAX_RPS users per second, the heavier writes of Part 2 (pass and series bookings,
 * check-ins) WRITE_RPS: a run faster than that would reuse an item and count 409s as errors.
 */
const MAX_RPS = 2500;
const WRITE_RPS = 1000;
const sizes = { login: 20, mine: 100, probe: 10, race: 500, warm: WARMUP * MAX_RPS, book: SECONDS * MAX_RPS };
Object.assign(sizes, { admin: 1, calendar: 1, alternatives: 1 });
if (wanted('book-pass')) Object.assign(sizes, { passProbe: 10, passWarm: WARMUP * WRITE_RPS, pass: SECONDS * WRITE_RPS });
if (wanted('series-book')) {
  Object.assign(sizes, { seriesProbe: 10, seriesWarm: WARMUP * WRITE_RPS, series: SECONDS * WRITE_RPS });
}
if (wanted('book-batch')) Object.assign(sizes, { batchWarm: WARMUP * MAX_RPS, batch: SECONDS * MAX_RPS });
const ranges = {};
let nextUserId = 1;
for (const [purpose, count] of Object.entries(sizes)) {
  ranges[purpose] = Array.from({ length: count }, (_, i) => nextUserId + i);
  nextUserId += count;
}

const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const root = mkdtempSync(join(os.tmpdir(), 'ahoum-bench-'));
const results = [];
const profiles = {};

async function main() {
  mkdirSync('.bench', { recursive: true });
  log(`building into ${root}`);
  const build = await buildAll(join(root, 'build'));
  log(`bundle ${(build.app.rawBytes / 1024).toFixed(1)} KiB, gzip ${(build.app.gzipBytes / 1024).toFixed(1)} KiB`);

  if (COLD_STARTS > 0) log(`cold starts x${COLD_STARTS}`);
  const cold = await measureColdStarts({ build, ports, times: COLD_STARTS });

  mkdirSync(join(root, 'state'));
  const inspect = CPU_PROFILE.size > 0;
  const { mf, urls } = await startServer({ build, ports, persistDir: join(root, 'state'), inspect });
  try {
    const db = await mf.getD1Database('DB', 'app');
    const now = Date.now();
    await data.applyMigrations(db);
    const password = data.passwordRecord();
    await data.loadUsers(db, nextUserId - 1, password);
    await data.loadFacilitators(db);
    await data.growEvents(db, 1_000, now);
    await data.loadBookings(db, ranges.mine, now);
    await data.setRole(db, ranges.admin, 'admin');
    const vars = appWorkerOptions(build.app.modules).bindings;
    const tokenSettings = { secret: BENCH_JWT_SECRET, issuer: vars.JWT_ISSUER, audience: vars.JWT_AUDIENCE };
    const roleOf = (k) => (k === 'admin' ? 'admin' : 'member');
    const tokens = Object.fromEntries(
      await Promise.all(
        Object.entries(ranges).map(async ([k, ids]) => [k, await data.accessTokens(ids, tokenSettings, roleOf(k))]),
      ),
    );
    log(`loaded ${nextUserId - 1} users (one PBKDF2 hash, ${password.nodeDeriveMs.toFixed(0)} ms in Node)`);

    const pid = workerdPid();
    const run = async (spec) => {
      if (!wanted(spec.key)) return;
      const result = { ...spec, connections: spec.connections ?? CONNECTIONS };
      if (spec.worker && !urls[spec.worker]) {
        log(`${spec.name}: no scripts/bench/workers/${spec.worker}.ts, skipped`);
        results.push({ ...result, connections: undefined, skipped: 'no worker file' });
        return;
      }
      if (spec.probe) {
        const profile = await profileScenario(urls, db, spec.probe, PROFILE_TIMES);
        if (!profile) {
          log(`${spec.name}: route not built yet, skipped`);
          results.push({ ...result, connections: undefined, skipped: 'no route yet' });
          return;
        }
        if (profile.status >= 400) log(`${spec.name}: probe answered ${profile.status} ${JSON.stringify(profile.body)}`);
        else log(`${spec.name}: probe answered ${profile.status}, ${profile.trips} D1 trips`);
        result.trips = profile.trips;
        profiles[spec.key] = profile;
      }
      log(`${spec.name}: ${SECONDS} s, ${result.connections} connections`);
      let stopProfile = null;
      let cpuAtStart = null;
      Object.assign(
        result,
        await measure({
          url: urls[spec.worker ?? 'app'],
          requests: spec.requests,
          warmup: spec.warmup,
          seconds: SECONDS,
          warmupSeconds: WARMUP,
          connections: result.connections,
          threads: THREADS,
          timeoutSeconds: 10,
          workDir: root,
          label: spec.key,
          beforeMeasure: async () => {
            if (CPU_PROFILE.has(spec.key)) stopProfile = await startCpuProfile(ports.inspector, spec.worker ?? 'app');
            cpuAtStart = cpuSeconds(pid);
          },
        }),
      );
      const cpuAtEnd = cpuSeconds(pid);
      if (cpuAtStart !== null && cpuAtEnd !== null && result.requests > 0)
        result.cpuUs = ((cpuAtEnd - cpuAtStart) * 1e6) / result.requests;
      if (stopProfile) reportCpuProfile(spec, await stopProfile(), build);
      results.push(result);
    };

    const nearbyPath = `/events/nearby?lat=${data.CITY.lat}&lng=${data.CITY.lng}&radius=50`;
    // The list filters, each about as selective at every size: the rare type and word are on ten of the first
    // 1,000 events; a week of one facilitator; the completed events (8%) paged 50 at a time.
    const weekStart = new Date(now + 30 * data.DAY).toISOString();
    const weekEnd = new Date(now + 37 * data.DAY).toISOString();
    const filters = [
      ['type', `/events?type=${encodeURIComponent(data.RARE_TYPE)}`],
      ['q', `/events?q=${data.RARE_WORD}`],
      ['status', '/events?status=completed'],
      ['week', `/events?facilitator_id=1&from=${weekStart}&to=${weekEnd}`],
    ];
    const list = { method: 'GET', path: '/events?limit=50' };
    /** The nearby search and the list filters at one catalogue size (and the plain list when asked for). */
    const stage = async (total, { withList = false, targets = false } = {}) => {
      const label = total.toLocaleString('en-US');
      const request = { method: 'GET', path: nearbyPath };
      await run({
        key: `nearby-${total}`,
        name: `GET /events/nearby, ${label} events`,
        ceiling: 'page-json',
        oldCeiling: 'select',
        target: targets ? 0.7 : undefined,
        requests: [request],
        probe: [request],
      });
      if (withList) {
        await run({
          key: `list-${total}`,
          name: `GET /events?limit=50, ${label} events`,
          ceiling: 'page-json',
          oldCeiling: 'select',
          requests: [list],
          probe: [list],
        });
      }
      for (const [name, path] of filters) {
        const filtered = { method: 'GET', path };
        await run({
          key: `${name}-${total}`,
          name: `GET /events?${name === 'week' ? 'facilitator_id=&from=&to= (a week)' : path.split('?')[1]}, ${label} events`,
          ceiling: 'page-json',
          oldCeiling: 'page',
          target: targets ? 0.7 : undefined,
          requests: [filtered],
          probe: [filtered],
        });
      }
    };
    const loads = {};
    for (const total of [1_000, 10_000, 100_000]) {
      loads[total] = await data.growEvents(db, total, now);
      log(`events table: ${total.toLocaleString('en-US')} rows (${loadNote(loads[total])})`);
      // The plain list at 1,000 is the baseline of the growth ratio; at 100,000 it is the `list` scenario below.
      await stage(total, { withList: total === 1_000 && (GROWTH > 0 || ONLY?.has('list-1000')), targets: total === 100_000 });
    }

    // Ceilings, on the same database at its full size.
    const eventIds = await randomScheduledIds(db, 1000);
    const byId = eventIds.map((id) => ({ method: 'GET', path: `/events/${id}` }));
    await run({
      key: 'bare',
      short: 'bare route',
      name: 'ceiling: bare Hono route',
      worker: 'bare',
      requests: [{ method: 'GET', path: '/' }],
    });
    await run({ key: 'select', short: 'one SELECT', name: 'ceiling: one D1 SELECT by id', worker: 'select', requests: byId });
    await run({
      key: 'page',
      short: '50-row SELECT',
      name: 'ceiling: one D1 SELECT of 50 rows',
      worker: 'page',
      requests: [{ method: 'GET', path: '/' }],
    });
    await run({
      key: 'page-json',
      short: '50 events as JSON',
      name: 'ceiling: one D1 SELECT of 50 events + facilitator, as event JSON',
      worker: 'page-json',
      requests: [{ method: 'GET', path: '/' }],
    });
    const inserts = Array.from({ length: 1000 }, (_, n) => ({ method: 'POST', path: '/', body: { n } }));
    await run({ key: 'insert', short: 'one INSERT', name: 'ceiling: one D1 INSERT', worker: 'insert', requests: inserts });
    // The POST /book ceiling (scripts/bench/workers/book-batch.ts): POST / {event_id, user_id} runs POST /book's
    // statements as one D1 batch, for users of its own (one booking each, so none is refused as a duplicate).
    const batchBody = (ids) =>
      ids.map((userId) => ({
        method: 'POST',
        path: '/',
        body: { event_id: 1 + (userId % data.BOOKABLE_EVENTS), user_id: userId },
      }));
    await run({
      key: 'book-batch',
      short: 'POST /book batch',
      name: "ceiling: one D1 batch of POST /book's statements",
      worker: 'book-batch',
      requests: batchBody(ranges.batch ?? []),
      warmup: batchBody(ranges.batchWarm ?? []),
    });
    /** Writes compare with the book-batch ceiling when it exists (one INSERT as the old column), else one INSERT. */
    const writeCeiling = urls['book-batch'] ? { ceiling: 'book-batch', oldCeiling: 'insert' } : { ceiling: 'insert' };

    await run({ key: 'event', name: 'GET /events/:id', ceiling: 'select', target: 0.8, requests: byId, probe: byId });
    await run({
      key: 'list',
      name: 'GET /events?limit=50',
      ceiling: 'page-json',
      oldCeiling: 'select',
      target: 0.7,
      requests: [list],
      probe: [list],
    });

    const book = (ids, list) =>
      ids.map((_, i) => ({
        method: 'POST',
        path: '/book',
        token: list[i],
        body: { event_id: 1 + (ids[i] % data.BOOKABLE_EVENTS) },
      }));
    await run({
      key: 'book',
      name: 'POST /book (distinct users)',
      ...writeCeiling,
      // ≥ 80% of the batch of its own statements, and ≥ 50% of one INSERT (the old column).
      ...(writeCeiling.ceiling === 'book-batch' ? { target: 0.8, oldTarget: 0.5 } : { target: 0.5 }),
      requests: book(ranges.book, tokens.book),
      warmup: book(ranges.warm, tokens.warm),
      probe: book(ranges.probe, tokens.probe),
    });

    const logins = ranges.login.map((id) => ({
      method: 'POST',
      path: '/login',
      body: { email: data.emailOf(id), password: data.PASSWORD },
    }));
    await run({
      key: 'login',
      name: `POST /login (PBKDF2 ${data.PBKDF2_ITERATIONS.toLocaleString('en-US')})`,
      ceiling: 'select',
      connections: LOGIN_CONNECTIONS,
      requests: logins,
      probe: logins,
    });

    const mine = tokens.mine.map((token) => ({ method: 'GET', path: '/my-bookings', token }));
    await run({
      key: 'mine',
      name: 'GET /my-bookings (7 bookings)',
      ceiling: 'select',
      target: 0.5,
      requests: mine,
      probe: mine,
    });

    const part2 = await partTwo(db, urls, tokens, writeCeiling, run);

    const bookResult = results.find((r) => r.key === 'book');
    const integrity = !bookResult || bookResult.skipped ? null : await checkSeats(db, urls, tokens, bookResult);
    const checks = await part2.check();

    let growth = null;
    if (GROWTH > 0) {
      log(`growing the events table to ${GROWTH.toLocaleString('en-US')} rows through the D1 binding`);
      const loaded = await data.growEvents(db, GROWTH, now);
      log(`events table: ${GROWTH.toLocaleString('en-US')} rows (${loadNote(loaded)})`);
      await stage(GROWTH, { withList: true });
      const p50 = (key) => results.find((r) => r.key === key && r.p50)?.p50;
      const ratio = (key) =>
        p50(`${key}-${GROWTH}`) && p50(`${key}-1000`) ? p50(`${key}-${GROWTH}`) / p50(`${key}-1000`) : null;
      growth = { size: GROWTH, load: loaded, nearbyP50Ratio: ratio('nearby'), listP50Ratio: ratio('list') };
    }
    report({ build, cold, password, integrity, checks, growth, loads });
  } finally {
    await mf.dispose();
    if (!process.env.BENCH_KEEP) rmSync(root, { recursive: true, force: true });
  }
}

function reportCpuProfile(spec, profile, build) {
  const bundle = spec.worker ? build.workers[spec.worker][0].path : build.app.modules[0].path;
  const { totalMs, rows: top, groups } = summarise(profile, bundle);
  writeProfile(`.bench/${spec.key}.cpuprofile`, profile);
  log(`CPU profile of ${spec.name}: ${totalMs.toFixed(0)} ms sampled, top self time (.bench/${spec.key}.cpuprofile):`);
  const line = (row) => log(`  ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.ms.toFixed(0).padStart(6)} ms  ${row.name}`);
  top.forEach(line);
  log('  by package:');
  groups.forEach(line);
}

async function randomScheduledIds(db, count) {
  const { results: found } = await db
    .prepare("SELECT id FROM events WHERE status = 'scheduled' ORDER BY (id * 2654435761) % 1000003 LIMIT ?")
    .bind(count)
    .all();
  return found.map((row) => row.id);
}

/** After the booking load: bookings made vs 201s seen, the seat audit, and a race of 500 users for 50 seats. */
async function checkSeats(db, urls, tokens, bookResult) {
  const [first, last] = [ranges.warm[0] ?? ranges.book[0], ranges.book.at(-1)];
  const made = await db
    .prepare("SELECT count(*) AS n FROM bookings WHERE user_id BETWEEN ? AND ? AND status = 'confirmed'")
    .bind(first, last)
    .first();
  const raced = await race(db, urls.app, tokens.race, 50);
  const audit = await data.seatAudit(db);
  return { bookingsMade: made.n, measured201: bookResult.requests - bookResult.errors, raced, audit };
}

const loadNote = (load) =>
  `${load.rows.toLocaleString('en-US')} inserted in ${(load.insertMs / 1000).toFixed(1)} s, ANALYZE ${(load.analyzeMs / 1000).toFixed(1)} s`;

/**
 * Part 2's scenarios, each loading its own data first (only when selected): check-in, a booking paid with a pass
 * credit, a series booking of 8 occurrences, a calendar feed of 50 bookings, the alternatives of a full event.
 * Returns `check()`, the after-load audit of what they wrote.
 */
async function partTwo(db, urls, tokens, writeCeiling, run) {
  const audits = [];

  if (wanted('checkin')) {
    const count = (WARMUP + SECONDS) * WRITE_RPS + PROFILE_TIMES;
    const codes = await data.loadCheckIns(db, ranges.book, count, Date.now());
    const checkIns = (from, to) =>
      codes.slice(from, to).map((code) => ({ method: 'POST', path: '/check-in', token: tokens.admin[0], body: { code } }));
    await run({
      key: 'checkin',
      name: 'POST /check-in {code} (admin, distinct bookings)',
      // The nearest ceiling: a batch of the same kinds of statement (a conditional write, its outbox message, the row
      // read back with its event); one INSERT as the old column.
      ...writeCeiling,
      target: 0.5,
      probe: checkIns(0, PROFILE_TIMES),
      warmup: checkIns(PROFILE_TIMES, PROFILE_TIMES + WARMUP * WRITE_RPS),
      requests: checkIns(PROFILE_TIMES + WARMUP * WRITE_RPS, count),
    });
    audits.push(async () => {
      const row = await db
        .prepare(
          `SELECT count(*) AS attended, sum(checked_in_by = ?) AS by_admin, sum(attended_at IS NULL) AS without_time
           FROM bookings WHERE attendance = 'attended'`,
        )
        .bind(ranges.admin[0])
        .first();
      return { checkin: { ...row, answered2xx: okCount('checkin') } };
    });
  }

  if (wanted('book-pass')) {
    const users = [...ranges.passProbe, ...ranges.passWarm, ...ranges.pass];
    const { events, passOf } = await data.loadPasses(db, users, Date.now());
    const tokenOf = new Map(users.map((id, i) => [id, [...tokens.passProbe, ...tokens.passWarm, ...tokens.pass][i]]));
    const books = (ids) =>
      ids.map((userId, i) => ({
        method: 'POST',
        path: '/book',
        token: tokenOf.get(userId),
        body: { event_id: events[i % events.length], pass_id: passOf.get(userId) },
      }));
    await run({
      key: 'book-pass',
      name: 'POST /book {event_id, pass_id} (paid event, distinct users)',
      ...writeCeiling,
      target: 0.5,
      probe: books(ranges.passProbe),
      warmup: books(ranges.passWarm),
      requests: books(ranges.pass),
    });
    audits.push(async () => {
      const [first, last] = [users[0], users.at(-1)];
      const row = await db
        .prepare(
          `SELECT
             (SELECT count(*) FROM bookings WHERE user_id BETWEEN ?1 AND ?2 AND status = 'confirmed' AND paid_with = 'pass') AS booked,
             (SELECT count(*) FROM pass_ledger l JOIN member_passes mp ON mp.id = l.member_pass_id
                WHERE mp.user_id BETWEEN ?1 AND ?2 AND l.reason = 'booking') AS charged,
             (SELECT count(*) FROM member_passes mp WHERE mp.user_id BETWEEN ?1 AND ?2
                AND (SELECT sum(change) FROM pass_ledger l WHERE l.member_pass_id = mp.id) <> 10 -
                  (SELECT count(*) FROM bookings b WHERE b.member_pass_id = mp.id AND b.status = 'confirmed')) AS balance_off`,
        )
        .bind(first, last)
        .first();
      return { bookPass: { ...row, answered2xx: okCount('book-pass') } };
    });
  }

  if (wanted('series-book')) {
    const users = [...ranges.seriesProbe, ...ranges.seriesWarm, ...ranges.series];
    const seriesId = await data.loadSeries(db, users.length, Date.now());
    const tokenOf = new Map(users.map((id, i) => [id, [...tokens.seriesProbe, ...tokens.seriesWarm, ...tokens.series][i]]));
    const books = (ids) =>
      ids.map((userId) => ({ method: 'POST', path: `/series/${seriesId}/book`, token: tokenOf.get(userId) }));
    await run({
      key: 'series-book',
      name: 'POST /series/:id/book (8 occurrences, distinct users)',
      ...writeCeiling,
      target: 0.5,
      probe: books(ranges.seriesProbe),
      warmup: books(ranges.seriesWarm),
      requests: books(ranges.series),
    });
    audits.push(async () => {
      const row = await db
        .prepare(
          `SELECT count(*) AS users, sum(n = 8) AS all_eight, sum(n NOT IN (0, 8)) AS partial FROM (
             SELECT count(*) AS n FROM bookings b JOIN events e ON e.id = b.event_id
             WHERE e.series_id = ? AND b.status = 'confirmed' GROUP BY b.user_id)`,
        )
        .bind(seriesId)
        .first();
      return { seriesBook: { ...row, answered2xx: okCount('series-book') } };
    });
  }

  if (wanted('calendar')) {
    const token = await data.loadCalendar(db, ranges.calendar[0], 50, Date.now());
    const feed = [{ method: 'GET', path: `/calendar/${token}.ics` }];
    await run({
      key: 'calendar',
      name: 'GET /calendar/<token>.ics (50 bookings)',
      ceiling: 'page-json',
      target: 0.5,
      requests: feed,
      probe: feed,
    });
  }

  if (wanted('alternatives')) {
    const { id, neighbours } = await data.loadAlternatives(db, ranges.alternatives[0], Date.now());
    log(`alternatives: full event ${id} in ${data.CITY.name}, ${neighbours} same-type events with room within 7 days`);
    const request = [{ method: 'GET', path: `/events/${id}/alternatives` }];
    await run({
      key: 'alternatives',
      name: 'GET /events/:id/alternatives (full event, Mumbai)',
      ceiling: 'select',
      target: 0.5,
      requests: request,
      probe: request,
    });
  }

  return { check: async () => Object.assign({}, ...(await Promise.all(audits.map((audit) => audit())))) };
}

/** 2xx answers a scenario got in its measured seconds. */
function okCount(key) {
  const result = results.find((r) => r.key === key);
  return result?.requests === undefined ? null : result.requests - result.errors;
}

function summaryLines(summary, password, integrity) {
  const { bundle, coldStartMs: cold, machine: m, growth, checks } = summary;
  const lines = [
    `Bundle: ${bundle.gzipKiB.toFixed(1)} KiB gzipped (${bundle.rawKiB.toFixed(0)} KiB raw; target ≤ 300 KiB ${bundle.gzipKiB <= 300 ? 'met' : 'missed'})`,
    cold.samples.length === 0
      ? 'Cold start: not measured (BENCH_COLD_STARTS=0)'
      : `Cold start (new Miniflare → first 200 on /health): mean ${cold.mean.toFixed(0)} ms over ${cold.samples.length} (${cold.samples.map((c) => c.toFixed(0)).join(', ')})`,
    `Nearby p50 at 100,000 / 1,000 events: ${summary.nearbyP50Growth?.toFixed(2) ?? '—'} (target ≤ 2)`,
    ...(growth
      ? [
          `Growth to ${growth.size.toLocaleString('en-US')} events: ${loadNote(growth.load)} through the D1 binding; ` +
            `p50 at ${growth.size.toLocaleString('en-US')} / 1,000 events: nearby ${growth.nearbyP50Ratio?.toFixed(2) ?? '—'}, ` +
            `list ${growth.listP50Ratio?.toFixed(2) ?? '—'} (target ≤ 2)`,
        ]
      : []),
    `PBKDF2-SHA256 ${data.PBKDF2_ITERATIONS.toLocaleString('en-US')} iterations: ${password.nodeDeriveMs.toFixed(1)} ms per derive in Node on this CPU`,
  ];
  if (integrity) {
    const { audit, raced } = integrity;
    lines.push(
      `Bookings: ${integrity.bookingsMade} confirmed by the load's users (warm-up included; ${integrity.measured201} 2xx in the measured seconds); ` +
        `race of ${raced.users} users for ${raced.capacity} seats: ${raced.created} booked, ${raced.full} event_full, ${raced.other} other; ` +
        `overbooked events: ${audit.overbooked ?? 0}; seat counters off: ${audit.counter_mismatch ?? 0}`,
    );
  }
  if (checks?.checkin) {
    const c = checks.checkin;
    lines.push(
      `Check-ins: ${c.attended} bookings attended (probe and warm-up included; ${c.answered2xx} 2xx measured), ` +
        `${c.by_admin} by the admin, ${c.without_time} without attended_at`,
    );
  }
  if (checks?.bookPass) {
    const c = checks.bookPass;
    lines.push(
      `Pass bookings: ${c.booked} confirmed (${c.answered2xx} 2xx measured), ${c.charged} credits charged, ` +
        `${c.balance_off} passes whose ledger disagrees with their bookings`,
    );
  }
  if (checks?.seriesBook) {
    const c = checks.seriesBook;
    lines.push(
      `Series bookings: ${c.users} users booked (${c.answered2xx} 2xx measured), ${c.all_eight} with all 8 occurrences, ` +
        `${c.partial} with only part of them`,
    );
  }
  lines.push(
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, workerd ${m.workerd}, ${summary.loadGenerator}, ${SECONDS} s per scenario after ${WARMUP} s warm-up`,
  );
  return lines;
}

function report({ build, cold, password, integrity, checks, growth, loads }) {
  const meanCold = cold.length ? cold.reduce((a, b) => a + b, 0) / cold.length : null;
  const nearby1k = results.find((r) => r.key === 'nearby-1000');
  const nearby100k = results.find((r) => r.key === 'nearby-100000');
  const summary = {
    date: new Date().toISOString(),
    machine: machine(),
    loadGenerator: loadGenerator(),
    settings: {
      seconds: SECONDS,
      warmupSeconds: WARMUP,
      connections: CONNECTIONS,
      loginConnections: LOGIN_CONNECTIONS,
      wrkThreads: THREADS,
    },
    bundle: { rawKiB: build.app.rawBytes / 1024, gzipKiB: build.app.gzipBytes / 1024, targetGzipKiB: 300 },
    coldStartMs: { mean: meanCold, samples: cold },
    pbkdf2: { iterations: data.PBKDF2_ITERATIONS, nodeDeriveMs: password.nodeDeriveMs },
    nearbyP50Growth: nearby1k?.p50 && nearby100k?.p50 ? nearby100k.p50 / nearby1k.p50 : null,
    eventLoads: loads,
    growth,
    integrity,
    checks,
    results,
    profiles,
  };
  const table = rows(results);
  const profileTable = profileRows(results, profiles);
  const notes = summaryLines(summary, password, integrity);
  const profileTitle = 'Profile, one request at a time (medians of 5; rows read: the SELECTs of the last one re-run):';
  const profileText = profileTable.length ? [profileTitle, textTable(profileTable)] : [];
  console.log([textTable(table), '', ...notes, '', ...profileText].join('\n'));
  mkdirSync('.bench', { recursive: true });
  writeFileSync('.bench/results.json', JSON.stringify(summary, null, 2));
  const markdown = [markdownTable(table), notes.map((n) => `- ${n}`).join('\n')];
  if (profileTable.length) markdown.push(profileTitle, markdownTable(profileTable));
  writeFileSync('.bench/results.md', `${markdown.join('\n\n')}\n`);
  log('wrote .bench/results.json and .bench/results.md');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
