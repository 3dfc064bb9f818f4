// `npm start`: everything a newcomer needs for a local API, with no cloud account and no network.
//   1. .dev.vars from .dev.vars.example when missing   2. migrations applied to the local D1
//   3. demo data loaded (idempotent)                    4. wrangler dev on localhost:8787 (args pass through)
import { copyFileSync, existsSync } from 'node:fs';
import { seedLocal } from './seed.mjs';
import { wrangler, wranglerForeground } from './wrangler.mjs';

const args = process.argv.slice(2);
const persistTo = args.includes('--persist-to') ? ['--persist-to', args[args.indexOf('--persist-to') + 1]] : [];

if (!existsSync('.dev.vars')) {
  copyFileSync('.dev.vars.example', '.dev.vars');
  console.log('Created .dev.vars from .dev.vars.example');
}
wrangler(['d1', 'migrations', 'apply', 'DB', '--local', ...persistTo], { quiet: true });
console.log('Migrations applied to the local D1');
seedLocal(persistTo);

const port = args.includes('--port') ? [] : ['--port', '8787'];
// --test-scheduled: GET /__scheduled runs the cron handler on demand (holds, refunds, series horizons, ...).
wranglerForeground(['dev', '--local', '--ip', '127.0.0.1', '--test-scheduled', ...port, ...args]);
