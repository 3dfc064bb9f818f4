// Builds the deployable Worker bundle and the ceiling workers with wrangler's own bundler (`deploy --dry-run`),
// so what is measured is exactly what would be uploaded.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { OFFLINE_ENV } from '../wrangler.mjs';

/**
 * The ceiling workers, each scripts/bench/workers/<name>.ts, served on its own port (bench.mjs derives the ports from
 * this list). Adding a ceiling is adding its file and one entry here; an entry whose file does not exist yet is
 * skipped (its scenarios show — for the ratio).
 */
export const CEILINGS = ['bare', 'select', 'insert', 'page', 'page-json', 'book-batch'];
const workerFile = (name) => resolve('scripts/bench/workers', `${name}.ts`);
/** The ceilings whose worker file exists. */
export const builtCeilings = () => CEILINGS.filter((name) => existsSync(workerFile(name)));
/** Bench-only workers in scripts/bench/workers/: the ceilings, and the app wrapped to count its D1 round trips. */
const benchWorkers = () => [...builtCeilings(), 'profile'];

function run(args) {
  return new Promise((done, fail) => {
    const child = spawn('wrangler', args, { env: { ...process.env, ...OFFLINE_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done(output) : fail(new Error(`wrangler ${args.join(' ')}:\n${output}`))));
  });
}

/** The bundle's entry module (wrangler names it after the source file), plus any other modules beside it. */
function modulesIn(dir) {
  const files = readdirSync(dir).filter((f) => /\.(m?js|wasm|bin|txt)$/.test(f));
  const entry = files.find((f) => /\.m?js$/.test(f));
  if (!entry) throw new Error(`no JavaScript bundle in ${dir}`);
  const typeOf = (f) =>
    /\.m?js$/.test(f) ? 'ESModule' : f.endsWith('.wasm') ? 'CompiledWasm' : f.endsWith('.txt') ? 'Text' : 'Data';
  return [entry, ...files.filter((f) => f !== entry)].map((f) => ({ type: typeOf(f), path: join(dir, f) }));
}

/** A throwaway wrangler config for a bench worker: same compatibility settings as the app, no bindings. */
function benchConfig(dir, name, appConfigText) {
  const date = /compatibility_date\s*=\s*"([^"]+)"/.exec(appConfigText)?.[1] ?? '2026-08-15';
  const flags = /compatibility_flags\s*=\s*(\[[^\]]*\])/.exec(appConfigText)?.[1] ?? '[]';
  const path = join(dir, `${name}.toml`);
  writeFileSync(
    path,
    `name = "bench-${name}"\nmain = "${workerFile(name)}"\ncompatibility_date = "${date}"\ncompatibility_flags = ${flags}\n`,
  );
  return path;
}

/**
 * Builds everything in parallel into `root`. Returns the module lists for Miniflare and the app bundle's size:
 * raw bytes and gzip bytes of what `wrangler deploy` would upload (its own "gzip:" figure when it prints one).
 */
export async function buildAll(root) {
  mkdirSync(root, { recursive: true });
  const appConfigText = readFileSync('wrangler.toml', 'utf8');
  const appDir = join(root, 'app');
  const jobs = [run(['deploy', '--dry-run', '--outdir', appDir])];
  const names = benchWorkers();
  for (const name of names) {
    const config = benchConfig(root, name, appConfigText);
    jobs.push(run(['deploy', '--dry-run', '--outdir', resolve(root, name), '--config', config]));
  }
  const [appOutput] = await Promise.all(jobs);

  const appModules = modulesIn(appDir);
  const code = appModules.map((m) => readFileSync(m.path));
  const rawBytes = code.reduce((sum, buffer) => sum + buffer.length, 0);
  const reported = /Total Upload:\s*([\d.]+) KiB \/ gzip:\s*([\d.]+) KiB/.exec(appOutput);
  const gzipBytes = reported ? Math.round(Number(reported[2]) * 1024) : gzipSync(Buffer.concat(code), { level: 9 }).length;
  const workers = Object.fromEntries(names.map((name) => [name, modulesIn(join(root, name))]));
  return { app: { modules: appModules, rawBytes, gzipBytes }, workers, ceilings: names.filter((n) => n !== 'profile') };
}
