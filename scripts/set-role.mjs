// Sets a user's role: `npm run set-role -- <email> <member|facilitator|admin> [--remote]`.
// Without --remote it changes the local D1 that `npm start` uses; with it, the deployed database.
import { wrangler } from './wrangler.mjs';
import { sqlString } from './demo-data.mjs';

const ROLES = ['member', 'facilitator', 'admin'];
const [email, role, ...rest] = process.argv.slice(2);
if (!email || !ROLES.includes(role)) {
  console.error('usage: npm run set-role -- <email> <member|facilitator|admin> [--remote]');
  process.exit(2);
}
const target = rest.includes('--remote') ? '--remote' : '--local';
const normalised = email.trim().toLowerCase();
const out = wrangler(
  [
    'd1',
    'execute',
    'DB',
    target,
    '--json',
    '--command',
    `UPDATE users SET role = ${sqlString(role)}, updated_at = unixepoch('subsec') * 1000 WHERE email = ${sqlString(normalised)} RETURNING id, email, role`,
  ],
  { quiet: true },
);
const rows = JSON.parse(out)[0]?.results ?? [];
if (rows.length === 0) {
  console.error(`No user with email ${normalised} in the ${target.slice(2)} database`);
  process.exit(1);
}
console.log(`Role set (${target.slice(2)}):`, rows[0]);
