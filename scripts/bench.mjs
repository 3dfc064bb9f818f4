// `npm run bench`: every hot route measured against the runtime's own ceiling, in one run (issue 7).
// Builds the deployable bundle, serves it with workerd driven by Miniflare directly, loads data through the D1
// binding, drives each scenario with wrk (or autocannon) on 127.0.0.1 and prints one table.
// Settings: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (50), BENCH_LOGIN_CONNECTIONS (8),
// BENCH_COLD_STARTS (3), BENCH_PORT (8821; uses 10 ports from there), BENCH_KEEP=1 keeps the temp dir,
// BENCH_ONLY=key,... runs only those scenarios, BENCH_CPU_PROFILE=key,... samples the app's isolate while they run
// (keys: nearby-N, type-N, q-N, status-N, week-N for N = 1000, 10000, 100000; bare, select, insert, page, event, list,
// book, login, mine).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { buildAll } from './bench/build.mjs';
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
const ports = { app: BASE_PORT, bare: BASE_PORT + 1, select: BASE_PORT + 2, insert: BASE_PORT + 3, profile: BASE_PORT + 4 };
Object.assign(ports, { entry: BASE_PORT + 5, cold: BASE_PORT + 6, coldEntry: BASE_PORT + 7, inspector: BASE_PORT + 8 });
ports.page = BASE_PORT + 9;
const keys = (name) => (process.env[name] ? new Set(process.env[name].split(',').map((k) => k.trim())) : null);
const ONLY = keys('BENCH_ONLY');
const CPU_PROFILE = keys('BENCH_CPU_PROFILE') ?? new Set();

/** Users by purpose, as contiguous id ranges; the bookers must outnumber the bookings any run can make. */
const MAX_RPS = 2500;
const sizes = { login: 20, mine: 100, probe: 10, race: 500, warm: WARMUP * MAX_RPS, book: SECONDS * MAX_RPS };
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
    const vars = appWorkerOptions(build.app.modules).bindings;
    const tokenSettings = { secret: BENCH_JWT_SECRET, issuer: vars.JWT_ISSUER, audience: vars.JWT_AUDIENCE };
    const tokens = Object.fromEntries(
      await Promise.all(Object.entries(ranges).map(async ([k, ids]) => [k, await data.accessTokens(ids, tokenSettings)])),
    );
    log(`loaded ${nextUserId - 1} users (one PBKDF2 hash, ${password.nodeDeriveMs.toFixed(0)} ms in Node)`);

    const pid = workerdPid();
    const run = async (spec) => {
      if (ONLY && !ONLY.has(spec.key)) return;
      const result = { ...spec, connections: spec.connections ?? CONNECTIONS };
      if (spec.probe) {
        const profile = await profileScenario(urls, db, spec.probe, PROFILE_TIMES);
        if (!profile) {
          log(`${spec.name}: route not built yet, skipped`);
          results.push({ ...result, connections: undefined, skipped: 'no route yet' });
          return;
        }
        if (profile.status >= 400) log(`${spec.name}: probe answered ${profile.status} ${JSON.stringify(profile.body)}`);
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
      if (cpuAtStart !== null && cpuAtEnd !== null) result.cpuUs = ((cpuAtEnd - cpuAtStart) * 1e6) / result.requests;
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
    for (const total of [1_000, 10_000, 100_000]) {
      await data.growEvents(db, total, now);
      const label = total.toLocaleString('en-US');
      log(`events table: ${label} rows`);
      const request = { method: 'GET', path: nearbyPath };
      const target = total === 100_000 ? 0.5 : undefined;
      await run({
        key: `nearby-${total}`,
        name: `GET /events/nearby, ${label} events`,
        ceiling: 'select',
        target,
        requests: [request],
        probe: [request],
      });
      for (const [name, path] of filters) {
        const filtered = { method: 'GET', path };
        await run({
          key: `${name}-${total}`,
          name: `GET /events?${name === 'week' ? 'facilitator_id=&from=&to= (a week)' : path.split('?')[1]}, ${label} events`,
          ceiling: 'page',
          target: total === 100_000 ? 0.7 : undefined,
          requests: [filtered],
          probe: [filtered],
        });
      }
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
    const inserts = Array.from({ length: 1000 }, (_, n) => ({ method: 'POST', path: '/', body: { n } }));
    await run({ key: 'insert', short: 'one INSERT', name: 'ceiling: one D1 INSERT', worker: 'insert', requests: inserts });

    await run({ key: 'event', name: 'GET /events/:id', ceiling: 'select', target: 0.8, requests: byId, probe: byId });
    const list = { method: 'GET', path: '/events?limit=50' };
    await run({ key: 'list', name: 'GET /events?limit=50', ceiling: 'select', target: 0.5, requests: [list], probe: [list] });

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
      ceiling: 'insert',
      target: 0.5,
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
    await run({ key: 'mine', name: 'GET /my-bookings (7 bookings)', ceiling: 'select', requests: mine, probe: mine });

    const bookResult = results.find((r) => r.key === 'book');
    const integrity = !bookResult || bookResult.skipped ? null : await checkSeats(db, urls, tokens, bookResult);
    report({ build, cold, password, integrity });
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

function summaryLines(summary, password, integrity) {
  const { bundle, coldStartMs: cold, machine: m } = summary;
  const lines = [
    `Bundle: ${bundle.gzipKiB.toFixed(1)} KiB gzipped (${bundle.rawKiB.toFixed(0)} KiB raw; target ≤ 300 KiB ${bundle.gzipKiB <= 300 ? 'met' : 'missed'})`,
    cold.samples.length === 0
      ? 'Cold start: not measured (BENCH_COLD_STARTS=0)'
      : `Cold start (new Miniflare → first 200 on /health): mean ${cold.mean.toFixed(0)} ms over ${cold.samples.length} (${cold.samples.map((c) => c.toFixed(0)).join(', ')})`,
    `Nearby p50 at 100,000 / 1,000 events: ${summary.nearbyP50Growth?.toFixed(2) ?? '—'} (target ≤ 2)`,
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
  lines.push(
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, workerd ${m.workerd}, ${summary.loadGenerator}, ${SECONDS} s per scenario after ${WARMUP} s warm-up`,
  );
  return lines;
}

function report({ build, cold, password, integrity }) {
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
    integrity,
    results,
    profiles,
  };
  const table = rows(results);
  const profileTable = profileRows(results, profiles);
  const notes = summaryLines(summary, password, integrity);
  const profileTitle = 'Profile, one request at a time (medians of 5; rows read: the SELECTs of the last one re-run):';
  console.log([textTable(table), '', ...notes, '', profileTitle, textTable(profileTable)].join('\n'));
  mkdirSync('.bench', { recursive: true });
  writeFileSync('.bench/results.json', JSON.stringify(summary, null, 2));
  const markdown = [markdownTable(table), notes.map((n) => `- ${n}`).join('\n'), profileTitle, markdownTable(profileTable)];
  writeFileSync('.bench/results.md', `${markdown.join('\n\n')}\n`);
  log('wrote .bench/results.json and .bench/results.md');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
