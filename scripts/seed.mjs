// Loads the demo data into the local D1 (idempotent). `npm start` runs this after applying migrations.
import { mkdirSync, writeFileSync } from 'node:fs';
import { demoSql } from './demo-data.mjs';
import { wrangler } from './wrangler.mjs';

export function seedLocal(extraArgs = []) {
  mkdirSync('.wrangler', { recursive: true });
  const file = '.wrangler/demo-data.sql';
  writeFileSync(file, demoSql());
  wrangler(['d1', 'execute', 'DB', '--local', '--file', file, ...extraArgs], { quiet: true });
  console.log('Demo data loaded: admin@ahoum.local / ahoum-admin-dev, facilitators / ahoum-facilitator-dev');
}

if (import.meta.url === `file://${process.argv[1]}`) seedLocal(process.argv.slice(2));
