import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createEvent, createUser } from '../support/fixtures';
import { call, expectError } from '../support/http';

async function bookingsOf(userId: number) {
  const { results } = await env.DB.prepare('SELECT id, event_id FROM bookings WHERE user_id = ? ORDER BY id').bind(userId).all();
  return results;
}

const withKey = (key: string) => ({ 'Idempotency-Key': key });

describe('POST /book with Idempotency-Key', () => {
  it('a replay returns the first answer again (same status and body) and books nothing new', async () => {
    const event = await createEvent({ capacity: 3 });
    const { user, token } = await createUser();
    const key = crypto.randomUUID();
    const first = await call('POST', '/book', { token, headers: withKey(key), body: { event_id: event.id } });
    const replay = await call('POST', '/book', { token, headers: withKey(key), body: { event_id: event.id } });
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.json).toEqual(first.json);
    expect(await bookingsOf(user.id)).toEqual([{ id: first.json.booking.id, event_id: event.id }]);
    const seats = await env.DB.prepare('SELECT booked_count FROM events WHERE id = ?').bind(event.id).first();
    expect(seats).toEqual({ booked_count: 1 });
  });

  it('the same key with another body is 422 idempotency_key_reused', async () => {
    const [a, b] = [await createEvent(), await createEvent()];
    const { user, token } = await createUser();
    const key = `key-${crypto.randomUUID()}`;
    await call('POST', '/book', { token, headers: withKey(key), body: { event_id: a.id } });
    expectError(
      await call('POST', '/book', { token, headers: withKey(key), body: { event_id: b.id } }),
      422,
      'idempotency_key_reused',
    );
    expectError(
      await call('POST', '/book', { token, headers: withKey(key), body: { event_id: a.id, waitlist: true } }),
      422,
      'idempotency_key_reused',
    );
    expect((await bookingsOf(user.id)).map((r) => r.event_id)).toEqual([a.id]);
  });

  it('keys belong to one user: another user with the same key books independently', async () => {
    const event = await createEvent();
    const [a, b] = [await createUser(), await createUser()];
    const key = crypto.randomUUID();
    const first = await call('POST', '/book', { token: a.token, headers: withKey(key), body: { event_id: event.id } });
    const second = await call('POST', '/book', { token: b.token, headers: withKey(key), body: { event_id: event.id } });
    expect(second.status).toBe(201);
    expect(second.json.booking.id).not.toBe(first.json.booking.id);
  });

  it('a failed request releases its key: the retry runs again', async () => {
    const event = await createEvent({ price: 1000 });
    const { token } = await createUser();
    const key = crypto.randomUUID();
    expectError(
      await call('POST', '/book', { token, headers: withKey(key), body: { event_id: event.id } }),
      402,
      'payment_required',
    );
    await env.DB.prepare('UPDATE events SET price = 0 WHERE id = ?').bind(event.id).run();
    const retry = await call('POST', '/book', { token, headers: withKey(key), body: { event_id: event.id } });
    expect(retry.status).toBe(201);
  });

  it('a key older than 24 hours is forgotten', async () => {
    const event = await createEvent({ capacity: 5 });
    const { user, token } = await createUser();
    const key = crypto.randomUUID();
    const first = await call('POST', '/book', { token, headers: withKey(key), body: { event_id: event.id } });
    await call('DELETE', `/cancel-booking/${first.json.booking.id}`, { token });
    await env.DB.prepare('UPDATE idempotency_keys SET created_at = created_at - ? WHERE user_id = ? AND key = ?')
      .bind(24 * 3600_000 + 1000, user.id, key)
      .run();
    const later = await call('POST', '/book', { token, headers: withKey(key), body: { event_id: event.id } });
    expect(later.status).toBe(201);
    expect(later.json.booking.id).not.toBe(first.json.booking.id);
  });

  it('simultaneous requests with one key book once; the others replay or are told it is in progress', async () => {
    const event = await createEvent({ capacity: 5 });
    const { user, token } = await createUser();
    const key = crypto.randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => call('POST', '/book', { token, headers: withKey(key), body: { event_id: event.id } })),
    );
    // Exactly one request claims the key and books. The others either arrive while it runs (409
    // idempotency_key_in_progress) or after it stored its answer, and then get that answer replayed: the same 201
    // and the same body (src/modules/bookings/idempotency.ts, earlierAnswer). So "exactly one 201" would be wrong;
    // what must hold is one booking row, one seat taken, and every 201 being that one booking's answer.
    const booked = await bookingsOf(user.id);
    expect(booked).toHaveLength(1);
    const seats = await env.DB.prepare('SELECT booked_count FROM events WHERE id = ?').bind(event.id).first();
    expect(seats).toEqual({ booked_count: 1 });
    const created = responses.filter((res) => res.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const res of created) {
      expect(res.json.booking.id).toBe(booked[0]!.id);
      expect(res.json).toEqual(created[0]!.json);
    }
    for (const res of responses.filter((res) => res.status !== 201)) expectError(res, 409, 'idempotency_key_in_progress');
  });

  it('an empty or over-long key is 400 validation_failed', async () => {
    const event = await createEvent();
    const { token } = await createUser();
    for (const key of [' ', 'k'.repeat(256)]) {
      const error = expectError(
        await call('POST', '/book', { token, headers: withKey(key), body: { event_id: event.id } }),
        400,
        'validation_failed',
      );
      expect(error.issues[0].path).toBe('idempotency-key');
    }
    expect((await call('POST', '/book', { token, headers: withKey('k'.repeat(255)), body: { event_id: event.id } })).status).toBe(
      201,
    );
  });
});
