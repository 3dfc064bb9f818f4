// Zero overbooking under contention: many distinct users book the last seats of one event at the same moment.
import { nextExtraEventId } from './data.mjs';

/** Adds an event with `capacity` seats, fires one POST /book per token all at once, counts the answers. */
export async function race(db, appUrl, tokens, capacity) {
  const id = await nextExtraEventId(db);
  const startsAt = Date.now() + 7 * 86_400_000;
  await db
    .prepare(
      `INSERT INTO events (id, title, type, status, starts_at, ends_at, location, latitude, longitude, location_status, capacity, facilitator_id)
       VALUES (?, 'Race for the last seats', 'Yoga', 'scheduled', ?, ?, 'Venue race', 12.97, 77.59, 'resolved', ?, 1)`,
    )
    .bind(id, startsAt, startsAt + 3_600_000, capacity)
    .run();
  const statuses = await Promise.all(
    tokens.map(async (token) => {
      const response = await fetch(`${appUrl}/book`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ event_id: id }),
      });
      const body = await response.json().catch(() => ({}));
      return response.status === 201 ? 'created' : body.code === 'event_full' ? 'full' : `${response.status} ${body.code}`;
    }),
  );
  const confirmed = await db
    .prepare("SELECT count(*) AS n FROM bookings WHERE event_id = ? AND status = 'confirmed'")
    .bind(id)
    .first();
  const count = (what) => statuses.filter((s) => s === what).length;
  const others = statuses.filter((s) => s !== 'created' && s !== 'full');
  return {
    users: tokens.length,
    capacity,
    created: count('created'),
    full: count('full'),
    other: others.length,
    otherSample: others.slice(0, 3),
    confirmedInDb: confirmed.n,
    eventId: id,
  };
}
