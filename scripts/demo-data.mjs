// The local demo data (contract, Operations): the predecessor's facilitators and events, plus demo accounts.
// These accounts exist only in local development; never load them into a deployed database.
import { pbkdf2Sync, randomBytes } from 'node:crypto';

export const DEMO_ADMIN = { name: 'Ahoum Admin', email: 'admin@ahoum.local', password: 'ahoum-admin-dev', role: 'admin' };
export const FACILITATOR_PASSWORD = 'ahoum-facilitator-dev';

export const DEMO_FACILITATORS = [
  { name: 'Ananya Sharma', crmId: 'crm123', email: 'ananya@ahoum.local', bio: 'Meditation teacher trained in Rishikesh.' },
  { name: 'Ravi Kumar', crmId: 'crm456', email: 'ravi@ahoum.local', bio: 'Hatha and vinyasa yoga facilitator.' },
  { name: 'Meera Joshi', crmId: 'crm789', email: 'meera@ahoum.local', bio: 'Breathwork and detox retreat guide.' },
];

const ITERATIONS = 100_000; // the same cost and format as src/services/passwords.ts

export function passwordColumns(password) {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(password, salt, ITERATIONS, 32, 'sha256');
  return { algorithm: 'pbkdf2-sha256', iterations: ITERATIONS, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

export const sqlString = (value) => (value === null || value === undefined ? 'NULL' : `'${String(value).replaceAll("'", "''")}'`);

function userInsert({ name, email, password, role }) {
  const p = passwordColumns(password);
  return `INSERT INTO users (name, email, role, password_algorithm, password_iterations, password_salt, password_hash)
VALUES (${sqlString(name)}, ${sqlString(email)}, ${sqlString(role)}, ${sqlString(p.algorithm)}, ${p.iterations}, ${sqlString(p.salt)}, ${sqlString(p.hash)})
ON CONFLICT (email) DO NOTHING;`;
}

/** Idempotent SQL: running it twice leaves one copy of everything. */
export function demoSql() {
  const statements = [userInsert(DEMO_ADMIN)];
  for (const f of DEMO_FACILITATORS) {
    statements.push(userInsert({ name: f.name, email: f.email, password: FACILITATOR_PASSWORD, role: 'facilitator' }));
    statements.push(`INSERT INTO facilitators (name, crm_id, bio, user_id)
SELECT ${sqlString(f.name)}, ${sqlString(f.crmId)}, ${sqlString(f.bio)}, id FROM users WHERE email = ${sqlString(f.email)}
ON CONFLICT (crm_id) DO NOTHING;`);
  }
  return statements.join('\n');
}
