import { Hono } from 'hono';

/**
 * Ceiling for `GET /events?limit=50` and the pages like it: the same work with nothing else. One D1 SELECT of the
 * default list (not cancelled, in (starts_at, id) order, 51 rows to know whether a page follows) joined to the
 * facilitator's name, each row mapped by hand to the contract's `event` keys (ISO dates, `date`, `seats_left`,
 * `facilitator`), answered as `{events, next_cursor}` with the app's cursor (base64url of `[starts_at, id]`).
 * Written without the app's code on purpose, so it stays the minimum.
 */
const LIMIT = 50;
const SQL = `SELECT e.id, e.title, e.description, e.type, e.status, e.starts_at, e.ends_at, e.timezone, e.location,
  e.latitude, e.longitude, e.location_status, e.capacity, e.booked_count, e.price, e.currency, f.name, e.facilitator_id,
  e.series_id, e.cancellation_cutoff_hours, e.late_cancel_refund_percent, e.min_attendees, e.decision_hours_before,
  e.go_decision, e.created_at, e.updated_at
  FROM events e JOIN facilitators f ON f.id = e.facilitator_id
  WHERE e.status <> 'cancelled' ORDER BY e.starts_at, e.id LIMIT ${LIMIT + 1}`;

type Row = [
  number,
  string,
  string,
  string,
  string,
  number,
  number,
  string,
  string | null,
  number | null,
  number | null,
  string,
  number | null,
  number,
  number,
  string,
  string,
  number,
  number | null,
  number,
  number,
  number | null,
  number,
  string | null,
  number,
  number,
];

const iso = (ms: number) => new Date(ms).toISOString();

const cursor = (row: Row) =>
  btoa(JSON.stringify([row[5], row[0]]))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

export default new Hono<{ Bindings: { DB: D1Database } }>().get('/', async (c) => {
  const rows = await c.env.DB.prepare(SQL).raw<Row>();
  const page = rows.length > LIMIT ? rows.slice(0, LIMIT) : rows;
  const events = page.map((r) => {
    const startsAt = iso(r[5]);
    return {
      id: r[0],
      title: r[1],
      description: r[2],
      type: r[3],
      status: r[4],
      starts_at: startsAt,
      ends_at: iso(r[6]),
      date: startsAt,
      timezone: r[7],
      location: r[8],
      latitude: r[9],
      longitude: r[10],
      location_status: r[11],
      capacity: r[12],
      booked_count: r[13],
      seats_left: r[12] === null ? null : Math.max(0, r[12] - r[13]),
      price: r[14],
      currency: r[15],
      facilitator: r[16],
      facilitator_id: r[17],
      series_id: r[18],
      cancellation_cutoff_hours: r[19],
      late_cancel_refund_percent: r[20],
      min_attendees: r[21],
      decision_hours_before: r[22],
      go_decision: r[23],
      created_at: iso(r[24]),
      updated_at: iso(r[25]),
    };
  });
  return c.json({ events, next_cursor: rows.length > LIMIT ? cursor(page[LIMIT - 1]!) : null });
});
