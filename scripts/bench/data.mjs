// Bench data, loaded in bulk through the D1 binding (mf.getD1Database): users with one precomputed PBKDF2 hash,
// facilitators, and events spread like a real catalogue: most far away, a few hundred around one dense city.
import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
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
/**
 * Events the scenarios add for themselves (check-in, pass, series, alternatives, race) take ids from here up, so the
 * catalogue's ids stay contiguous from 1 and can still grow (growEvents counts only the ids below).
 */
export const EXTRA_EVENT_ID = 100_000_000;

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

/**
 * Multi-row INSERTs with literal values (D1 caps bound parameters per statement): BENCH_INSERT_ROWS rows per statement
 * (200), BENCH_INSERT_BATCH statements per batch (50).
 */
const INSERT_ROWS = Number(process.env.BENCH_INSERT_ROWS) || 200;
const INSERT_BATCH = Number(process.env.BENCH_INSERT_BATCH) || 50;
export async function insertRows(db, table, columns, rows, { perStatement = INSERT_ROWS, perBatch = INSERT_BATCH } = {}) {
  const head = `INSERT INTO ${table} (${columns.join(',')}) VALUES `;
  let statements = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const values = rows.slice(i, i + perStatement).map((row) => `(${row.map(sql).join(',')})`);
    statements.push(db.prepare(head + values.join(',')));
    if (statements.length === perBatch) {
      await db.batch(statements);
      statements = [];
    }
  }
  if (statements.length) await db.batch(statements);
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

/**
 * Grows the catalogue to `total` events (ids contiguous from 1; the scenarios' own events above EXTRA_EVENT_ID are
 * not counted), in slices of 100,000 rows so memory stays flat. Returns the milliseconds the INSERTs and the
 * ANALYZE took.
 */
export async function growEvents(db, total, now) {
  const started = performance.now();
  const { n } = await db.prepare('SELECT count(*) AS n FROM events WHERE id < ?').bind(EXTRA_EVENT_ID).first();
  for (let from = n + 1; from <= total; from += 100_000) {
    await insertRows(db, 'events', EVENT_COLUMNS, eventRows(from, Math.min(total, from + 99_999), now));
  }
  const inserted = performance.now();
  await db.prepare('ANALYZE').run();
  return { rows: Math.max(0, total - n), insertMs: inserted - started, analyzeMs: performance.now() - inserted };
}

/** The next id for a scenario's own event (above the catalogue's, see EXTRA_EVENT_ID). */
export async function nextExtraEventId(db) {
  const { id } = await db.prepare('SELECT max(coalesce(max(id) + 1, 0), ?) AS id FROM events').bind(EXTRA_EVENT_ID).first();
  return id;
}

/**
 * Bookings inserted as given, then the seat counter of every event they touch recounted (confirmed and holds), then
 * ANALYZE, so the planner's statistics describe the bookings as they now are (statistics gathered while every
 * check_in_code was NULL make SQLite scan the table for a code).
 */
async function insertBookings(db, columns, rows) {
  await insertRows(db, 'bookings', columns, rows);
  const eventIds = [...new Set(rows.map((row) => row[0]))];
  for (let i = 0; i < eventIds.length; i += 500) {
    await db
      .prepare(
        `UPDATE events SET booked_count = (SELECT count(*) FROM bookings b WHERE b.event_id = events.id
           AND b.status IN ('confirmed', 'pending_payment')) WHERE id IN (${eventIds.slice(i, i + 500).join(',')})`,
      )
      .run();
  }
  await db.prepare('ANALYZE').run();
}

/** Scenario events (online, so no nearby search sees them): `count` of them from `startsAt`, `stepMs` apart. */
async function addEvents(db, { count, startsAt, stepMs = 0, title, type = 'Yoga', capacity = null, price = 0, seriesId = null }) {
  const first = await nextExtraEventId(db);
  const rows = [];
  for (let k = 0; k < count; k++) {
    const start = startsAt + k * stepMs;
    rows.push([
      first + k,
      `${title} ${k + 1}`,
      `${title}, bench`,
      type,
      'scheduled',
      start,
      start + 3_600_000,
      'Asia/Kolkata',
      'Online',
      null,
      null,
      'online',
      capacity,
      0,
      price,
      'INR',
      1 + (k % FACILITATORS),
      seriesId,
    ]);
  }
  await insertRows(db, 'events', [...EVENT_COLUMNS, 'series_id'], rows);
  return rows.map((row) => row[0]);
}

/** Gives these users a role (the app re-reads the role from the users row on every request). */
export async function setRole(db, userIds, role) {
  await db
    .prepare(`UPDATE users SET role = ? WHERE id IN (${userIds.join(',')})`)
    .bind(role)
    .run();
}

/**
 * POST /check-in: `count` confirmed bookings with distinct check-in codes, on events that start 30 minutes from now (inside CHECK_IN_OPENS_MINUTES, 60), spread over as many events as `userIds` needs
 * (100 bookings an event, one per user). Returns the codes, in order.
 */
export async function loadCheckIns(db, userIds, count, now) {
  const perEvent = Math.min(100, userIds.length);
  const events = await addEvents(db, {
    count: Math.ceil(count / perEvent),
    startsAt: now + 30 * 60_000,
    title: 'Check-in bench class',
  });
  const rows = [];
  const codes = [];
  for (let j = 0; j < count; j++) {
    const code = randomBytes(16).toString('hex');
    codes.push(code);
    rows.push([events[Math.floor(j / perEvent)], userIds[j % userIds.length], 'confirmed', now - 3_600_000, code]);
  }
  await insertBookings(db, ['event_id', 'user_id', 'status', 'booked_at', 'check_in_code'], rows);
  return codes;
}

/**
 * POST /book with pass_id: 20 paid events with room, and for each user one active 10-credit member pass (its purchase
 * row in pass_ledger gives the credits; the balance is the ledger's sum). Returns the events and each user's pass id.
 */
export async function loadPasses(db, userIds, now) {
  const events = await addEvents(db, {
    count: 20,
    startsAt: now + 3 * DAY,
    stepMs: DAY,
    title: 'Paid bench class',
    capacity: 1 + userIds.length,
    price: 80_000,
  });
  const passId = await nextId(db, 'passes');
  await db
    .prepare(
      "INSERT INTO passes (id, name, credits, unlimited, price, currency, valid_days) VALUES (?, 'Bench 10-class pass', 10, 0, 500000, 'INR', 365)",
    )
    .bind(passId)
    .run();
  const firstMemberPass = await nextId(db, 'member_passes');
  const activated = now - DAY;
  const memberPasses = userIds.map((userId, i) => [
    firstMemberPass + i,
    userId,
    passId,
    'active',
    'Bench 10-class pass',
    10,
    0,
    365,
    500000,
    500000,
    'INR',
    activated,
    activated + 365 * DAY,
  ]);
  await insertRows(
    db,
    'member_passes',
    [
      'id',
      'user_id',
      'pass_id',
      'status',
      'name',
      'credits_total',
      'unlimited',
      'valid_days',
      'amount_due',
      'amount_paid',
      'currency',
      'activated_at',
      'expires_at',
    ],
    memberPasses,
  );
  await insertRows(
    db,
    'pass_ledger',
    ['member_pass_id', 'change', 'reason', 'created_at'],
    memberPasses.map(([id]) => [id, 10, 'purchase', activated]),
  );
  return { events, passOf: new Map(memberPasses.map(([id, userId]) => [userId, id])) };
}

const nextId = async (db, table) => (await db.prepare(`SELECT coalesce(max(id), 0) + 1 AS id FROM ${table}`).first()).id;

/** POST /series/:id/book: an active free series with 8 upcoming scheduled occurrences, a day apart, room for every user. */
export async function loadSeries(db, users, now) {
  const id = await nextId(db, 'series');
  const startsAt = now + 2 * DAY;
  const occurrences = 8;
  await db
    .prepare(
      `INSERT INTO series (id, title, type, rrule, timezone, starts_at, duration_minutes, location, location_status, capacity,
         facilitator_id, generated_until) VALUES (?, 'Bench series', 'Yoga', 'FREQ=DAILY;COUNT=${occurrences}', 'Asia/Kolkata', ?, 60,
         'Online', 'online', ?, 1, ?)`,
    )
    .bind(id, startsAt, users + 1, startsAt + (occurrences - 1) * DAY)
    .run();
  await addEvents(db, { count: occurrences, startsAt, stepMs: DAY, title: 'Bench series', capacity: users + 1, seriesId: id });
  return id;
}

/**
 * GET /calendar/<token>.ics: `count` confirmed bookings of upcoming catalogue events (ids 1..count) for this user,
 * and a feed token stored as the app stores it (its SHA-256, hex). Returns the token.
 */
export async function loadCalendar(db, userId, count, now) {
  const rows = Array.from({ length: count }, (_, k) => [1 + k, userId, 'confirmed', now - DAY, randomBytes(16).toString('hex')]);
  await insertBookings(db, ['event_id', 'user_id', 'status', 'booked_at', 'check_in_code'], rows);
  const token = randomBytes(32).toString('base64url');
  await db
    .prepare('INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?)')
    .bind(userId, createHash('sha256').update(token).digest('hex'), now)
    .run();
  return token;
}

/**
 * GET /events/:id/alternatives: a full event in Mumbai (capacity 1, one confirmed booking by `userId`) of the type and
 * start of the catalogue's Mumbai event with the most same-type neighbours with room within 7 days. Returns its id and
 * how many such neighbours it has.
 */
export async function loadAlternatives(db, userId, now) {
  const best = await db
    .prepare(
      `SELECT a.type, a.starts_at, count(b.id) AS neighbours FROM events a JOIN events b
         ON lower(b.type) = lower(a.type) AND b.id <> a.id AND b.status = 'scheduled' AND b.starts_at > ?1
           AND abs(b.starts_at - a.starts_at) <= ${7 * DAY} AND (b.capacity IS NULL OR b.booked_count < b.capacity)
           AND b.id BETWEEN ${BOOKABLE_EVENTS + 1} AND ${BOOKABLE_EVENTS + NEAR_EVENTS}
       WHERE a.id BETWEEN ${BOOKABLE_EVENTS + 1} AND ${BOOKABLE_EVENTS + NEAR_EVENTS} AND a.status = 'scheduled'
       GROUP BY a.id ORDER BY neighbours DESC, a.id LIMIT 1`,
    )
    .bind(now)
    .first();
  const id = await nextExtraEventId(db);
  await db
    .prepare(
      `INSERT INTO events (id, title, description, type, status, starts_at, ends_at, timezone, location, latitude, longitude,
         location_status, capacity, booked_count, price, currency, facilitator_id)
       VALUES (?, 'Full bench class', 'Sold out', ?, 'scheduled', ?, ?, 'Asia/Kolkata', 'Venue full', ?, ?, 'resolved', 1, 0, 0, 'INR', 1)`,
    )
    .bind(id, best.type, best.starts_at, best.starts_at + 3_600_000, CITY.lat + 0.01, CITY.lng + 0.01)
    .run();
  await insertBookings(
    db,
    ['event_id', 'user_id', 'status', 'booked_at', 'check_in_code'],
    [[id, userId, 'confirmed', now - DAY, randomBytes(16).toString('hex')]],
  );
  return { id, neighbours: best.neighbours };
}

/**
 * Confirmed bookings for the /my-bookings users: five on upcoming events with room, two on past events,
 * with the events' seat counters kept equal to their confirmed bookings.
 */
export async function loadBookings(db, userIds, now) {
  const past = await db.prepare("SELECT id FROM events WHERE status = 'completed' ORDER BY id LIMIT 50").all();
  const rows = [];
  userIds.forEach((userId, i) => {
    const code = () => randomBytes(16).toString('hex');
    for (let k = 0; k < 5; k++) rows.push([1 + ((i * 5 + k) % BOOKABLE_EVENTS), userId, 'confirmed', now - 3_600_000, code()]);
    for (let k = 0; k < 2; k++) {
      rows.push([past.results[(i + k) % past.results.length].id, userId, 'confirmed', now - 200 * DAY, code()]);
    }
  });
  // Every booking the app makes has a check-in code (and migration 0008 gave the older ones one).
  await insertRows(db, 'bookings', ['event_id', 'user_id', 'status', 'booked_at', 'check_in_code'], rows);
  await db
    .prepare(
      `UPDATE events SET booked_count = (SELECT count(*) FROM bookings b WHERE b.event_id = events.id AND b.status = 'confirmed')
       WHERE id IN (SELECT DISTINCT event_id FROM bookings)`,
    )
    .run();
}

/**
 * Access tokens exactly as the app signs them (accounts/tokens.ts: HS256, pinned iss/aud, jti, the role and the
 * account's token version `ver`, 0 for a row never bumped), one per user id.
 */
export async function accessTokens(userIds, { secret, issuer, audience }, role = 'member') {
  const key = new TextEncoder().encode(secret);
  return Promise.all(
    userIds.map((id) =>
      new SignJWT({ role, ver: 0 })
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
