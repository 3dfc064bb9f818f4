import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createEvent, createUser, createUsers, outboxRowsFor } from '../support/fixtures';
import { call } from '../support/http';

async function seats(eventId: number) {
  const event = await env.DB.prepare('SELECT booked_count FROM events WHERE id = ?')
    .bind(eventId)
    .first<{ booked_count: number }>();
  const { results } = await env.DB.prepare('SELECT status, count(*) AS n FROM bookings WHERE event_id = ? GROUP BY status')
    .bind(eventId)
    .all<{ status: string; n: number }>();
  return { bookedCount: event!.booked_count, byStatus: Object.fromEntries(results.map((r) => [r.status, r.n])) };
}

function tally(responses: Array<{ status: number; json: any }>) {
  const counts: Record<string, number> = {};
  for (const res of responses) {
    const key = res.status === 201 ? `201 ${res.json.booking.status}` : `${res.status} ${res.json?.code}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('POST /book under concurrency', () => {
  const REQUESTS = 60;
  const CAPACITY = 10;

  it(`${REQUESTS} simultaneous requests from different users for ${CAPACITY} seats: exactly ${CAPACITY} confirmed, the rest event_full`, async () => {
    const event = await createEvent({ capacity: CAPACITY });
    const users = await createUsers(REQUESTS);
    const responses = await Promise.all(users.map(({ token }) => call('POST', '/book', { token, body: { event_id: event.id } })));
    const counts = tally(responses);
    console.log(
      `concurrency: requests=${REQUESTS} capacity=${CAPACITY} confirmed=${counts['201 confirmed'] ?? 0} ` +
        `rejected=${counts['409 event_full'] ?? 0} (event_full) outcomes=${JSON.stringify(counts)}`,
    );
    expect(counts).toEqual({ '201 confirmed': CAPACITY, '409 event_full': REQUESTS - CAPACITY });
    expect(await seats(event.id)).toEqual({ bookedCount: CAPACITY, byStatus: { confirmed: CAPACITY } });

    const bookingIds = responses.filter((r) => r.status === 201).map((r) => r.json.booking.id);
    const messages = await outboxRowsFor({ bookingIds });
    expect(messages.map((m) => m.payload.type)).toEqual(Array(CAPACITY).fill('booking.created'));
  });

  it(`with waitlist: true the ${REQUESTS - CAPACITY} late requests are waitlisted, in a gapless 1..n order`, async () => {
    const event = await createEvent({ capacity: CAPACITY });
    const users = await createUsers(REQUESTS);
    const responses = await Promise.all(
      users.map(({ token }) => call('POST', '/book', { token, body: { event_id: event.id, waitlist: true } })),
    );
    const counts = tally(responses);
    console.log(
      `concurrency (waitlist): requests=${REQUESTS} capacity=${CAPACITY} confirmed=${counts['201 confirmed'] ?? 0} ` +
        `waitlisted=${counts['201 waitlisted'] ?? 0} outcomes=${JSON.stringify(counts)}`,
    );
    expect(counts).toEqual({ '201 confirmed': CAPACITY, '201 waitlisted': REQUESTS - CAPACITY });
    expect(await seats(event.id)).toEqual({
      bookedCount: CAPACITY,
      byStatus: { confirmed: CAPACITY, waitlisted: REQUESTS - CAPACITY },
    });
    // Positions are derived on read: each waitlisted booking's place, 1..n with no gaps or repeats.
    const { results } = await env.DB.prepare(
      `SELECT id FROM bookings WHERE event_id = ? AND status = 'waitlisted' ORDER BY booked_at, id`,
    )
      .bind(event.id)
      .all<{ id: number }>();
    const admin = await createUser('admin');
    const shown = await Promise.all(
      results.map(
        async ({ id }) => (await call('GET', `/bookings/${id}`, { token: admin.token })).json.booking.waitlist_position,
      ),
    );
    expect(shown).toEqual(Array.from({ length: REQUESTS - CAPACITY }, (_, i) => i + 1));
  });

  it('one user firing 20 simultaneous requests for one event gets exactly one booking', async () => {
    const event = await createEvent({ capacity: 5 });
    const { token } = await createUser();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => call('POST', '/book', { token, body: { event_id: event.id } })),
    );
    const counts = tally(responses);
    console.log(`concurrency (one user): requests=20 outcomes=${JSON.stringify(counts)}`);
    expect(counts).toEqual({ '201 confirmed': 1, '409 already_booked': 19 });
    expect(await seats(event.id)).toEqual({ bookedCount: 1, byStatus: { confirmed: 1 } });
  });

  it('the database refuses a second active booking even when the conditional insert is bypassed', async () => {
    const event = await createEvent({ capacity: 5 });
    const { user } = await createUser();
    const insert = env.DB.prepare(
      `INSERT INTO bookings (event_id, user_id, status, booked_at) VALUES (?, ?, 'confirmed', ?)`,
    ).bind(event.id, user.id, Date.now());
    await insert.run();
    await expect(insert.run()).rejects.toThrow(/UNIQUE constraint failed/);
    await expect(env.DB.prepare('UPDATE events SET booked_count = 6 WHERE id = ?').bind(event.id).run()).rejects.toThrow(
      /CHECK constraint failed/,
    );
  });
});
