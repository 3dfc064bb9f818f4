import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { qrSvg } from '../../src/modules/attendance/qr';
import {
  bookingRow,
  createBooking,
  createEvent,
  createFacilitatorAccount,
  createUser,
  createUsers,
  outboxFor,
} from '../support/fixtures';
import { call, expectError } from '../support/http';

const HOUR = 3_600_000;
const MINUTE = 60_000;

afterEach(() => vi.useRealTimers());

/** An event of a facilitator account starting at `startsAt` (an hour long), with one confirmed booking. */
async function bookedEvent(startsAt = Date.now() + 30 * MINUTE) {
  const facilitator = await createFacilitatorAccount();
  const event = await createEvent({ startsAt, endsAt: startsAt + HOUR, facilitatorId: facilitator.facilitatorId, capacity: 10 });
  const member = await createUser();
  const bookingId = await createBooking(member.id, event.id);
  const code = (await bookingRow(bookingId))!.check_in_code as string;
  return { facilitator, event, member, bookingId, code };
}

describe('POST /check-in', () => {
  it('the event’s facilitator checks a booking in by its code: attended, the CRM hears it, the code is not shown', async () => {
    const { facilitator, member, bookingId, code } = await bookedEvent();
    const res = await call('POST', '/check-in', { token: facilitator.token, body: { code } });
    expect(res.status).toBe(200);
    expect(res.json.msg).toBe('Checked in');
    expect(res.json.booking).toMatchObject({ id: bookingId, attendance: 'attended', check_in_code: null });
    expect(Date.parse(res.json.booking.attended_at)).toBeGreaterThan(Date.now() - MINUTE);
    expect(JSON.stringify(res.json)).not.toContain(code);
    expect(await bookingRow(bookingId)).toMatchObject({ attendance: 'attended', checked_in_by: facilitator.id });
    const messages = await outboxFor(bookingId);
    expect(messages.map((m) => m.type)).toEqual(['booking.checked_in']);
    expect(messages[0]!.payload).toMatchObject({
      booking_id: bookingId,
      user: { id: member.id },
      attended_at: res.json.booking.attended_at,
    });
    // Its user sees the code; the roster (the facilitator's view) shows attendance but never the code.
    const own = await call('GET', `/bookings/${bookingId}`, { token: member.token });
    expect(own.json.booking).toMatchObject({ check_in_code: code, attendance: 'attended' });
    const roster = await call('GET', `/events/${own.json.booking.event_id}/bookings`, { token: facilitator.token });
    expect(roster.json.bookings).toEqual([
      expect.objectContaining({ id: bookingId, attendance: 'attended', check_in_code: null }),
    ]);
    expect(roster.text).not.toContain(code);
  });

  it('an admin checks in by booking id and sees the code', async () => {
    const { bookingId, code } = await bookedEvent();
    const admin = await createUser('admin');
    const res = await call('POST', '/check-in', { token: admin.token, body: { booking_id: bookingId } });
    expect(res.status).toBe(200);
    expect(res.json.booking).toMatchObject({ attendance: 'attended', check_in_code: code });
  });

  it('two scans at once: one 200, one 409 already_checked_in, one message', async () => {
    const { facilitator, bookingId, code } = await bookedEvent();
    const answers = await Promise.all(
      [1, 2, 3].map(() => call('POST', '/check-in', { token: facilitator.token, body: { code } })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409)) expectError(refused, 409, 'already_checked_in');
    expect((await outboxFor(bookingId)).filter((m) => m.type === 'booking.checked_in')).toHaveLength(1);
  });

  it('the window: opens CHECK_IN_OPENS_MINUTES (60) before the start, closes 12 hours after the end, both edges included', async () => {
    const start = Date.now() + 3 * HOUR;
    const cases = [
      [start - 60 * MINUTE - 1, 409],
      [start - 60 * MINUTE, 200],
      [start + HOUR + 12 * HOUR, 200],
      [start + HOUR + 12 * HOUR + 1, 409],
    ] as const;
    for (const [at, status] of cases) {
      const { code, bookingId } = await bookedEvent(start);
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(at);
      // Tokens are signed at the frozen time, so they are valid then.
      const token = (await createUser('admin')).token;
      const res = await call('POST', '/check-in', { token, body: { code } });
      vi.useRealTimers();
      expect(res.status, `at start ${at - start} ms`).toBe(status);
      if (status === 409) {
        expectError(res, 409, 'check_in_closed');
        expect((await bookingRow(bookingId))!.attendance).toBeNull();
      }
    }
  });

  it('refusals: unknown code 404, another facilitator 403, a member 403, a waitlisted booking 409, a cancelled one 409', async () => {
    const { bookingId, code, event } = await bookedEvent();
    const stranger = await createFacilitatorAccount('Other Facilitator');
    const member = await createUser();
    expectError(await call('POST', '/check-in', { token: stranger.token, body: { code: 'f'.repeat(32) } }), 404, 'not_found');
    expectError(await call('POST', '/check-in', { token: stranger.token, body: { code: 'not-a-code' } }), 404, 'not_found');
    expectError(await call('POST', '/check-in', { token: stranger.token, body: { code } }), 403, 'forbidden');
    expectError(await call('POST', '/check-in', { token: member.token, body: { code } }), 403, 'forbidden');
    expect((await bookingRow(bookingId))!.attendance).toBeNull();

    const admin = await createUser('admin');
    const waiting = await env.DB.prepare(
      `INSERT INTO bookings (event_id, user_id, status, booked_at, check_in_code) VALUES (?, ?, 'waitlisted', ?, lower(hex(randomblob(16)))) RETURNING id`,
    )
      .bind(event.id, member.id, Date.now())
      .first<{ id: number }>();
    expectError(
      await call('POST', '/check-in', { token: admin.token, body: { booking_id: waiting!.id } }),
      409,
      'booking_not_confirmed',
    );
    await env.DB.prepare(`UPDATE bookings SET status = 'cancelled', cancelled_at = ? WHERE id = ?`)
      .bind(Date.now(), bookingId)
      .run();
    expectError(await call('POST', '/check-in', { token: admin.token, body: { code } }), 409, 'booking_not_confirmed');
  });

  it('a body with both or neither of code and booking_id is 400', async () => {
    const admin = await createUser('admin');
    expectError(await call('POST', '/check-in', { token: admin.token, body: {} }), 400, 'validation_failed');
    expectError(
      await call('POST', '/check-in', { token: admin.token, body: { code: 'a', booking_id: 1 } }),
      400,
      'validation_failed',
    );
  });
});

describe('GET /bookings/:id/qr.svg', () => {
  it('its user gets an SVG of the QR code of the check-in code; nobody else does', async () => {
    const { member, bookingId, code } = await bookedEvent();
    const res = await call('GET', `/bookings/${bookingId}/qr.svg`, { token: member.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('image/svg+xml');
    expect(res.headers.get('Cache-Control')).toBe('private, no-store');
    expect(res.text).toBe(qrSvg(code));
    expect(res.text).toMatch(/^<\?xml[^>]*\?><svg [^>]*><rect [^>]*\/?>(<\/rect>)?<path d="M[^"]+"/);
    const [stranger] = await createUsers(1);
    expectError(await call('GET', `/bookings/${bookingId}/qr.svg`, { token: stranger!.token }), 403, 'forbidden');
    const admin = await createUser('admin');
    expect((await call('GET', `/bookings/${bookingId}/qr.svg`, { token: admin.token })).status).toBe(200);
    expectError(await call('GET', '/bookings/999999999/qr.svg', { token: admin.token }), 404, 'not_found');
  });

  it('a booking that is not confirmed has no QR code (409)', async () => {
    const event = await createEvent({ capacity: 1 });
    const [first, second] = await createUsers(2);
    await call('POST', '/book', { token: first!.token, body: { event_id: event.id } });
    const waiting = await call('POST', '/book', { token: second!.token, body: { event_id: event.id, waitlist: true } });
    expect(waiting.json.booking).toMatchObject({ status: 'waitlisted', check_in_code: null });
    expectError(
      await call('GET', `/bookings/${waiting.json.booking.id}/qr.svg`, { token: second!.token }),
      409,
      'booking_not_confirmed',
    );
  });
});
