// Serves the built workers with workerd, driven by Miniflare directly: no `wrangler dev` proxy in front, no request
// logging, no tracing. Each worker gets its own socket straight into workerd (`unsafeDirectSockets`).
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

export const BENCH_JWT_SECRET = 'bench-only-jwt-secret-0123456789abcdef0123456789';

/** Request.cf as Cloudflare would set it for a caller in Mumbai (no network fetch of a real one). */
const CF = { country: 'IN', city: 'Mumbai', latitude: '19.07600', longitude: '72.87770', colo: 'BOM', timezone: 'Asia/Kolkata' };

function parseDotEnv(path) {
  const vars = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (match) vars[match[1]] = match[2].replace(/^"(.*)"$/, '$1');
  }
  return vars;
}

/**
 * The app's bindings exactly as wrangler.toml declares them (vars, D1, queue producers and consumers), with the
 * secrets of .dev.vars.example rather than a developer's .dev.vars, and the bench's own JWT secret. Static assets
 * (/docs) are left out: no measured route serves them.
 */
let configured;
export function appWorkerOptions(modules) {
  configured ??= unstable_getMiniflareWorkerOptions('wrangler.toml');
  const { workerOptions } = configured;
  const { assets, modulesRules, cronTriggers, ...options } = workerOptions;
  void assets;
  void modulesRules;
  void cronTriggers;
  return {
    ...options,
    bindings: { ...options.bindings, ...parseDotEnv('.dev.vars.example'), JWT_SECRET: BENCH_JWT_SECRET },
    ...source(modules),
  };
}

/** Module names are relative to the bundle's own folder (workerd refuses names climbing out of the root). */
const source = (modules) => ({ modules, modulesRoot: dirname(modules[0].path) });

function sharedOptions(persistDir, entryPort, inspectorPort) {
  return {
    ...(inspectorPort ? { inspectorPort } : {}),
    host: '127.0.0.1',
    port: entryPort,
    log: new Log(LogLevel.WARN),
    logRequests: false,
    enableDevRegistry: false,
    cf: CF,
    resourcePersistencePath: persistDir,
    // Drop the workerd console (the CRM consumer logs a line per message); errors still show.
    handleStructuredLogs({ level, message }) {
      if (level === 'error') process.stderr.write(`${message}\n`);
    },
  };
}

const direct = (port) => [{ host: '127.0.0.1', port }];

/**
 * One workerd process with the app, the ceiling workers that were built (`build.ceilings`, each on `ports[name]`) and
 * the profiling copy of the app, all bound to the same D1 database. Returns the Miniflare instance and each worker's
 * base URL (a ceiling whose worker file does not exist has none).
 */
export async function startServer({ build, ports, persistDir, inspect = false }) {
  const app = appWorkerOptions(build.app.modules);
  const db = app.d1Databases;
  const workers = [
    { ...app, name: 'app', unsafeDirectSockets: direct(ports.app) },
    ...build.ceilings.map((name) => ({
      name,
      ...source(build.workers[name]),
      compatibilityDate: app.compatibilityDate,
      compatibilityFlags: app.compatibilityFlags,
      d1Databases: db,
      unsafeDirectSockets: direct(ports[name]),
    })),
    // The profiling copy produces to the same queues but does not consume them (a queue has one consumer).
    { ...app, queueConsumers: {}, name: 'profile', ...source(build.workers.profile), unsafeDirectSockets: direct(ports.profile) },
  ];
  const mf = new Miniflare(
    convertV4MiniflareOptions({ ...sharedOptions(persistDir, ports.entry, inspect ? ports.inspector : undefined), workers }),
  );
  await mf.ready;
  const url = (port) => `http://127.0.0.1:${port}`;
  const urls = Object.fromEntries(['app', ...build.ceilings, 'profile'].map((name) => [name, url(ports[name])]));
  return { mf, urls };
}

/** Polls until the URL answers 200; returns the milliseconds waited. */
export async function waitFor200(url, timeoutMs = 30_000) {
  const started = performance.now();
  for (;;) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * Cold start of the local Worker: from `new Miniflare()` (workerd spawned, config loaded, bundle compiled) to the
 * first 200 on /health (one D1 round trip), on a fresh database each time. Averaged over `times` starts.
 */
export async function measureColdStarts({ build, ports, times }) {
  const samples = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const mf = new Miniflare(
      convertV4MiniflareOptions({
        ...sharedOptions(undefined, ports.coldEntry),
        ...appWorkerOptions(build.app.modules),
        unsafeDirectSockets: direct(ports.cold),
      }),
    );
    await waitFor200(`http://127.0.0.1:${ports.cold}/health`);
    samples.push(performance.now() - started);
    await mf.dispose();
  }
  return samples;
}
