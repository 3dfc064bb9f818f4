// Bench data, loaded in bulk through the D1 binding (mf.getD1Database): users with one precomputed PBKDF2 hash,
// facilitators, and events spread like a real catalogue: most far away, a few hundred around one dense city.
import { pbkdf2Sync } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { SignJWT } from 'jose';
import { unstable_splitSqlQuery } from 'wrangler';

export const CITY = { name: 'Mumbai', lat: 19.076, lng: 72.8777 };
export const NEAR_EVENTS = 300;
export const BOOKABLE_EVENTS = 200;
export const BOOKABLE_CAPACITY = 1000;
export const FACILITATORS = 50;
export const PASSWORD = 'bench-password-0123';
export const PBKDF2_ITERATIONS = 100_000;

/** Where other events happen: weight, centre and spread (degrees). Mexico City shares Mumbai's latitude band. */
const CITIES = [
  [8, 28.6139, 77.209, 0.4],
  [6, 12.9716, 77.5946, 0.3],
  [4, 18.5204, 73.8567, 0.2],
  [4, 13.0827, 80.2707, 0.3],
  [3, 22.5726, 88.3639, 0.3],
  [3, 30.0869, 78.2676, 0.2],
  [3, 15.2993, 74.124, 0.3],
  [3, 10.8505, 76.2711, 0.4],
  [6, 51.5074, -0.1278, 0.4],
  [6, 40.7128, -74.006, 0.4],
  [5, 34.0522, -118.2437, 0.5],
  [4, 19.4326, -99.1332, 0.3],
  [4, -23.5505, -46.6333, 0.4],
  [4, 35.6762, 139.6503, 0.4],
  [4, 1.3521, 103.8198, 0.1],
  [4, 25.2048, 55.2708, 0.3],
  [4, -33.8688, 151.2093, 0.4],
  [3, 52.52, 13.405, 0.3],
  [3, 48.8566, 2.3522, 0.3],
  [3, 41.3851, 2.1734, 0.3],
  [3, 13.7563, 100.5018, 0.3],
  [3, -8.4095, 115.1889, 0.3],
  [2, 6.5244, 3.3792, 0.3],
  [2, -1.2921, 36.8219, 0.3],
  [2, 55.7558, 37.6173, 0.4],
  [2, 37.7749, -122.4194, 0.3],
  [2, 43.6532, -79.3832, 0.3],
  [2, -34.6037, -58.3816, 0.3],
];
const TYPES = ['Yoga', 'Meditation', 'Breathwork', 'Detox', 'Sound Healing', 'Retreat'];
/** On ten of the first 1,000 events, so the filters that find them have about ten hits at every size. */
export const RARE_TYPE = 'Kirtan';
export const RARE_WORD = 'gongbath';
const TOTAL_WEIGHT = CITIES.reduce((sum, [w]) => sum + w, 0);
export const DAY = 86_400_000;

/** Deterministic random numbers (mulberry32), so every run loads the same catalogue. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function haversineKm(lat1, lng1, lat2, lng2) {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lng2 - lng1) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(a));
}

const sql = (v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`);
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** Applies migrations/*.sql in order, as wrangler would. */
export async function applyMigrations(db) {
  const files = readdirSync('migrations')
    .filter((f) => f.endsWith('.sql'))
    .sort();
  for (const file of files) {
    const statements = unstable_splitSqlQuery(readFileSync(`migrations/${file}`, 'utf8'));
    await db.batch(statements.map((s) => db.prepare(s)));
  }
  await db
    .prepare('CREATE TABLE bench_ceiling_writes (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER, created_at INTEGER)')
    .run();
  return files.length;
}

/** Multi-row INSERTs with literal values (D1 caps bound parameters per statement), 50 statements per batch. */
async function insertRows(db, table, columns, rows) {
  const statements = [];
  for (let i = 0; i < rows.length; i += 200) {
    const values = rows.slice(i, i + 200).map((row) => `(${row.map(sql).join(',')})`);
    statements.push(db.prepare(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${values.join(',')}`));
  }
  for (let i = 0; i < statements.length; i += 50) await db.batch(statements.slice(i, i + 50));
}

/** One PBKDF2 computation shared by every bench user (same password, same salt); also times one derive. */
export function passwordRecord() {
  const salt = Buffer.from('bench-salt-16byt');
  const started = performance.now();
  const hash = pbkdf2Sync(PASSWORD, salt, PBKDF2_ITERATIONS, 32, 'sha256');
  return { salt: salt.toString('base64'), hash: hash.toString('base64'), nodeDeriveMs: performance.now() - started };
}

export const emailOf = (id) => `bench-${id}@bench.test`;

export async function loadUsers(db, count, record) {
  const rows = [];
  for (let id = 1; id <= count; id++) {
    rows.push([id, `Bench User ${id}`, emailOf(id), 'member', 'pbkdf2-sha256', PBKDF2_ITERATIONS, record.salt, record.hash]);
  }
  const columns = ['id', 'name', 'email', 'role', 'password_algorithm', 'password_iterations', 'password_salt', 'password_hash'];
  await insertRows(db, 'users', columns, rows);
}

export async function loadFacilitators(db) {
  const rows = [];
  for (let id = 1; id <= FACILITATORS; id++) rows.push([id, `Facilitator ${id}`, `Guides sessions, #${id}.`, `bench-crm-${id}`]);
  await insertRows(db, 'facilitators', ['id', 'name', 'bio', 'crm_id'], rows);
}

const EVENT_COLUMNS = [
  'id',
  'title',
  'description',
  'type',
  'status',
  'starts_at',
  'ends_at',
  'timezone',
  'location',
  'latitude',
  'longitude',
  'location_status',
  'capacity',
  'booked_count',
  'price',
  'currency',
  'facilitator_id',
];

function farPoint(next) {
  for (;;) {
    let lat;
    let lng;
    if (next() < 0.1) {
      lat = -45 + next() * 105;
      lng = -170 + next() * 340;
    } else {
      let pick = next() * TOTAL_WEIGHT;
      const city = CITIES.find(([w]) => (pick -= w) < 0) ?? CITIES[0];
      const gauss = () => (next() + next() + next() - 1.5) * 1.4;
      lat = clamp(city[1] + gauss() * city[3], -89, 89);
      lng = clamp(city[2] + gauss() * city[3], -179, 179);
    }
    if (haversineKm(lat, lng, CITY.lat, CITY.lng) > 80) return [lat, lng];
  }
}

/**
 * Event rows for ids [from, to]. Ids 1..200 are free, open events with room (the booking scenario's targets),
 * 201..500 lie within 45 km of the city, the rest are spread over the world: mostly upcoming, some past,
 * cancelled or online, a third paid.
 */
function eventRows(from, to, now) {
  const next = random(from * 7919);
  const rows = [];
  for (let id = from; id <= to; id++) {
    const near = id > BOOKABLE_EVENTS && id <= BOOKABLE_EVENTS + NEAR_EVENTS;
    const bookable = id <= BOOKABLE_EVENTS;
    const roll = next();
    const online = !near && !bookable && roll > 0.98;
    const past = !near && !bookable && roll < 0.08;
    const status = past ? 'completed' : !near && !bookable && roll < 0.13 ? 'cancelled' : 'scheduled';
    let lat = null;
    let lng = null;
    if (near) {
      const r = 45 * Math.sqrt(next());
      const angle = next() * 2 * Math.PI;
      lat = CITY.lat + (r / 111.2) * Math.cos(angle);
      lng = CITY.lng + ((r / 111.2) * Math.sin(angle)) / Math.cos((CITY.lat * Math.PI) / 180);
    } else if (!online) [lat, lng] = farPoint(next);
    const startsAt = past
      ? now - Math.ceil(next() * 180) * DAY
      : now + Math.ceil(1 + next() * 180) * DAY + Math.floor(next() * DAY);
    const type = id <= 1000 && id % 100 === 37 ? RARE_TYPE : TYPES[id % TYPES.length];
    const rareWord = id <= 1000 && id % 100 === 53 ? ` with a ${RARE_WORD}` : '';
    const paid = !bookable && next() < 0.33;
    rows.push([
      id,
      `${type} session ${id}${rareWord}`,
      `A ${type.toLowerCase()} session for every level, event ${id}.`,
      type,
      status,
      startsAt,
      startsAt + (1 + Math.floor(next() * 3)) * 3_600_000,
      'Asia/Kolkata',
      online ? 'Online' : `Venue ${id}`,
      lat === null ? null : Number(lat.toFixed(6)),
      lng === null ? null : Number(lng.toFixed(6)),
      online ? 'online' : 'resolved',
      bookable ? BOOKABLE_CAPACITY : next() < 0.2 ? null : 10 + Math.floor(next() * 190),
      0,
      paid ? 50_000 + Math.floor(next() * 45) * 10_000 : 0,
      'INR',
      1 + (id % FACILITATORS),
    ]);
  }
  return rows;
}

/** Grows the events table to `total` rows (ids are contiguous from 1). */
export async function growEvents(db, total, now) {
  const { n } = await db.prepare('SELECT count(*) AS n FROM events').first();
  if (n < total) await insertRows(db, 'events', EVENT_COLUMNS, eventRows(n + 1, total, now));
  await db.prepare('ANALYZE').run();
  return total;
}

/**
 * Confirmed bookings for the /my-bookings users: five on upcoming events with room, two on past events,
 * with the events' seat counters kept equal to their confirmed bookings.
 */
export async function loadBookings(db, userIds, now) {
  const past = await db.prepare("SELECT id FROM events WHERE status = 'completed' ORDER BY id LIMIT 50").all();
  const rows = [];
  userIds.forEach((userId, i) => {
    for (let k = 0; k < 5; k++) rows.push([1 + ((i * 5 + k) % BOOKABLE_EVENTS), userId, 'confirmed', now - 3_600_000]);
    for (let k = 0; k < 2; k++) rows.push([past.results[(i + k) % past.results.length].id, userId, 'confirmed', now - 200 * DAY]);
  });
  await insertRows(db, 'bookings', ['event_id', 'user_id', 'status', 'booked_at'], rows);
  await db
    .prepare(
      `UPDATE events SET booked_count = (SELECT count(*) FROM bookings b WHERE b.event_id = events.id AND b.status = 'confirmed')
       WHERE id IN (SELECT DISTINCT event_id FROM bookings)`,
    )
    .run();
}

/** Access tokens exactly as the app signs them (HS256, pinned iss/aud, jti), one per user id. */
export async function accessTokens(userIds, { secret, issuer, audience }) {
  const key = new TextEncoder().encode(secret);
  return Promise.all(
    userIds.map((id) =>
      new SignJWT({ role: 'member' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(String(id))
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime('2h')
        .setJti(crypto.randomUUID())
        .sign(key),
    ),
  );
}

/** Overbooking check: events whose confirmed bookings or seat counter exceed capacity, or disagree. */
export async function seatAudit(db) {
  return db
    .prepare(
      `SELECT
         sum(CASE WHEN e.capacity IS NOT NULL AND (e.booked_count > e.capacity OR c.n > e.capacity) THEN 1 ELSE 0 END) AS overbooked,
         sum(CASE WHEN e.booked_count <> c.n THEN 1 ELSE 0 END) AS counter_mismatch,
         sum(c.n) AS confirmed
       FROM events e JOIN (SELECT event_id, count(*) AS n FROM bookings WHERE status IN ('confirmed', 'pending_payment') GROUP BY event_id) c
         ON c.event_id = e.id`,
    )
    .first();
}
