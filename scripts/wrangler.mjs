// Runs wrangler from npm scripts (so it gets the project's Node 24) with the settings that keep it offline.
import { spawn, spawnSync } from 'node:child_process';

export const OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  DO_NOT_TRACK: '1',
};

const env = () => ({ ...process.env, ...OFFLINE_ENV });

/** Runs a wrangler command to completion; exits the script if it fails. */
export function wrangler(args, { quiet = false } = {}) {
  const result = spawnSync('wrangler', args, { stdio: quiet ? 'pipe' : 'inherit', env: env(), encoding: 'utf8' });
  if (result.status !== 0) {
    if (quiet) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    console.error(`wrangler ${args.join(' ')} failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
  return result.stdout;
}

/** Starts a long-running wrangler command (dev), forwarding signals and its exit code. */
export function wranglerForeground(args) {
  const child = spawn('wrangler', args, { stdio: 'inherit', env: env() });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return child;
}
