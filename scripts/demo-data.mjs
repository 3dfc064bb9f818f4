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

const ITERATIONS = 100_000; // the same cost and format as src/modules/accounts/passwords.ts

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

const DAY_MS = 24 * 3600 * 1000;

// The predecessor's six events (SEED_BEHAVIOUR.md, Data), with fixed ids so a re-run updates rather than duplicates,
// plus one paid event (id 7) for trying payments. `days` is the start relative to now.
export const DEMO_EVENTS = [
  {
    id: 1,
    title: 'Mindfulness Retreat',
    type: 'Meditation',
    location: 'Rishikesh',
    lat: 30.0869,
    lng: 78.2676,
    days: 7,
    hours: 3 * 24,
    crmId: 'crm123',
  },
  {
    id: 2,
    title: 'Yoga and Wellness',
    type: 'Yoga',
    location: 'Goa',
    lat: 15.2993,
    lng: 74.124,
    days: 14,
    hours: 3,
    crmId: 'crm456',
  },
  {
    id: 3,
    title: 'Evening Breathwork',
    type: 'Breathwork',
    location: 'Delhi',
    lat: 28.6139,
    lng: 77.209,
    days: 3,
    hours: 1.5,
    crmId: 'crm789',
  },
  {
    id: 4,
    title: 'Silent Sitting Session',
    type: 'Meditation',
    location: 'Online',
    lat: null,
    lng: null,
    days: -2,
    hours: 1,
    crmId: 'crm123',
    status: 'completed',
  },
  {
    id: 5,
    title: 'Weekend Detox Camp',
    type: 'Detox',
    location: 'Kerala',
    lat: 10.8505,
    lng: 76.2711,
    days: 10,
    hours: 2 * 24,
    crmId: 'crm789',
  },
  {
    id: 6,
    title: 'Cancelled Yoga Session',
    type: 'Yoga',
    location: 'Mumbai',
    lat: 19.076,
    lng: 72.8777,
    days: 5,
    hours: 1,
    crmId: 'crm456',
    status: 'cancelled',
  },
  {
    id: 7,
    title: 'Sound Healing Workshop (paid demo)',
    type: 'Sound Healing',
    location: 'Bengaluru',
    lat: 12.9716,
    lng: 77.5946,
    days: 12,
    hours: 2,
    crmId: 'crm789',
    price: 49900,
  },
];

function eventUpsert(e, now) {
  // Starts on the hour, so the demo times read well.
  const startsAt = Math.floor((now + e.days * DAY_MS) / 3600_000) * 3600_000;
  const endsAt = startsAt + e.hours * 3600_000;
  const status = e.status ?? 'scheduled';
  const locationStatus = e.lat === null ? 'online' : 'resolved';
  const description = `${e.title} with ${e.location === 'Online' ? 'an online group' : `a small group in ${e.location}`}.`;
  // The WHERE keeps a re-run from touching an event with this id that is not the demo one.
  return `INSERT INTO events (id, title, description, type, status, starts_at, ends_at, timezone, location, latitude, longitude,
  location_status, capacity, price, currency, facilitator_id, cancelled_at)
SELECT ${e.id}, ${sqlString(e.title)}, ${sqlString(description)}, ${sqlString(e.type)}, ${sqlString(status)}, ${startsAt}, ${endsAt},
  'Asia/Kolkata', ${sqlString(e.location)}, ${e.lat ?? 'NULL'}, ${e.lng ?? 'NULL'}, ${sqlString(locationStatus)}, 20, ${e.price ?? 0}, 'INR',
  id, ${status === 'cancelled' ? now : 'NULL'} FROM facilitators WHERE crm_id = ${sqlString(e.crmId)}
ON CONFLICT (id) DO UPDATE SET starts_at = excluded.starts_at, ends_at = excluded.ends_at, updated_at = ${now}
WHERE events.title = excluded.title;`;
}

/** Idempotent SQL: running it twice leaves one copy of everything (event dates move along with now). */
export function demoSql(now = Date.now()) {
  const statements = [userInsert(DEMO_ADMIN)];
  for (const f of DEMO_FACILITATORS) {
    statements.push(userInsert({ name: f.name, email: f.email, password: FACILITATOR_PASSWORD, role: 'facilitator' }));
    statements.push(`INSERT INTO facilitators (name, crm_id, bio, user_id)
SELECT ${sqlString(f.name)}, ${sqlString(f.crmId)}, ${sqlString(f.bio)}, id FROM users WHERE email = ${sqlString(f.email)}
ON CONFLICT (crm_id) DO NOTHING;`);
  }
  for (const e of DEMO_EVENTS) statements.push(eventUpsert(e, now));
  return statements.join('\n');
}
