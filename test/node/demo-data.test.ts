import { readdirSync, readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { demoSql } from '../../scripts/demo-data.mjs';

const DAY = 24 * 3600 * 1000;

/** The real migrations and the real demo SQL, on SQLite in memory (what `npm start` loads into the local D1). */
function freshDatabase() {
  const db = new DatabaseSync(':memory:');
  db.exec('PRAGMA foreign_keys = ON');
  for (const file of readdirSync('migrations')
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    db.exec(readFileSync(`migrations/${file}`, 'utf8'));
  }
  return db;
}

type EventRow = {
  id: number;
  title: string;
  status: string;
  starts_at: number;
  latitude: number | null;
  longitude: number | null;
  crm_id: string;
  price: number;
};
const events = (db: DatabaseSync) =>
  db
    .prepare(
      `SELECT e.id, e.title, e.status, e.starts_at, e.latitude, e.longitude, f.crm_id, e.price
       FROM events e JOIN facilitators f ON f.id = e.facilitator_id ORDER BY e.id`,
    )
    .all() as EventRow[];

describe('demo data (npm start)', () => {
  it('holds the predecessor’s six events with real coordinates and dates relative to now, plus one paid event', () => {
    const db = freshDatabase();
    const now = Date.parse('2030-06-15T10:20:00Z');
    db.exec(demoSql(now));
    const rows = events(db);
    const days = (row: EventRow) => Math.round((row.starts_at - now) / DAY);
    expect(rows.map((r) => [r.id, r.title, r.status, r.latitude, r.longitude, days(r), r.crm_id, r.price])).toEqual([
      [1, 'Mindfulness Retreat', 'scheduled', 30.0869, 78.2676, 7, 'crm123', 0],
      [2, 'Yoga and Wellness', 'scheduled', 15.2993, 74.124, 14, 'crm456', 0],
      [3, 'Evening Breathwork', 'scheduled', 28.6139, 77.209, 3, 'crm789', 0],
      [4, 'Silent Sitting Session', 'completed', null, null, -2, 'crm123', 0],
      [5, 'Weekend Detox Camp', 'scheduled', 10.8505, 76.2711, 10, 'crm789', 0],
      [6, 'Cancelled Yoga Session', 'cancelled', 19.076, 72.8777, 5, 'crm456', 0],
      [7, 'Sound Healing Workshop (paid demo)', 'scheduled', 12.9716, 77.5946, 12, 'crm789', 49900],
    ]);
  });

  it('is idempotent: a re-run keeps one copy of everything and moves the dates along with now', () => {
    const db = freshDatabase();
    const first = Date.parse('2030-06-15T10:00:00Z');
    db.exec(demoSql(first));
    db.exec(demoSql(first + 30 * DAY));
    const rows = events(db);
    expect(rows).toHaveLength(7);
    expect(rows.find((r) => r.id === 3)!.starts_at).toBe(first + 33 * DAY);
    const counts = db
      .prepare('SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM facilitators) AS facilitators')
      .get();
    expect(counts).toEqual({ users: 4, facilitators: 3 });
  });

  it('never rewrites an event of the same id that is not the demo one', () => {
    const db = freshDatabase();
    db.exec(demoSql(Date.parse('2030-06-15T10:00:00Z')));
    db.exec("UPDATE events SET title = 'Someone else''s event', starts_at = 1, ends_at = 2 WHERE id = 2");
    db.exec(demoSql(Date.parse('2030-07-15T10:00:00Z')));
    expect(events(db).find((r) => r.id === 2)).toMatchObject({ title: "Someone else's event", starts_at: 1 });
  });
});
