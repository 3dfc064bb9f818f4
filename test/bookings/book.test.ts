import { describe, expect, it } from 'vitest';
import { bookedCount, createEvent, createFacilitator, createUser, outboxRowsFor, setEventStart } from '../support/fixtures';
import { call, expectError } from '../support/http';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('POST /book', () => {
  it('books a free event: 201 with the whole booking, the event embedded, one seat taken', async () => {
    const facilitator = await createFacilitator('Ananya Test');
    const event = await createEvent({ capacity: 5, facilitatorId: facilitator.id });
    const { user, token } = await createUser();
    const res = await call('POST', '/book', { token, body: { event_id: event.id } });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      msg: 'Booking successful',
      booking: {
        id: expect.any(Number),
        event_id: event.id,
        user_id: user.id,
        status: 'confirmed',
        booked_at: expect.stringMatching(ISO),
        cancelled_at: null,
        cancel_reason: null,
        waitlist_position: null,
        is_paid: false,
        payment_id: null,
        amount_paid: null,
        currency: 'INR',
        policy: {
          cutoff_at: new Date(event.startsAt.getTime() - 12 * 3_600_000).toISOString(),
          late_cancel_refund_percent: 0,
        },
        late_cancel: false,
        refund_amount: null,
        check_in_code: expect.stringMatching(/^[0-9a-f]{32}$/),
        attendance: null,
        attended_at: null,
        offer_expires_at: null,
        transferred_from: null,
        paid_with: null,
        member_pass_id: null,
        event: expect.objectContaining({
          id: event.id,
          title: event.title,
          status: 'scheduled',
          starts_at: event.startsAt.toISOString(),
          date: event.startsAt.toISOString(),
          capacity: 5,
          booked_count: 1,
          seats_left: 4,
          facilitator: 'Ananya Test',
          facilitator_id: facilitator.id,
        }),
      },
    });
    expect(await bookedCount(event.id)).toBe(1);

    const again = await call('GET', `/bookings/${res.json.booking.id}`, { token });
    expect(again.status).toBe(200);
    expect(again.json.booking).toEqual(res.json.booking);
  });

  it('writes a booking.created outbox row with the predecessor payload keys, in the same step', async () => {
    const facilitator = await createFacilitator('Ravi Test');
    const event = await createEvent({ facilitatorId: facilitator.id });
    const { user, token } = await createUser();
    const res = await call('POST', '/book', { token, body: { event_id: event.id } });
    const rows = await outboxRowsFor({ bookingIds: [res.json.booking.id] });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('queued'); // sent after the batch (tests have no automatic consumer)
    expect(rows[0]!.payload).toEqual({
      id: rows[0]!.id,
      type: 'booking.created',
      occurred_at: expect.stringMatching(ISO),
      booking_id: res.json.booking.id,
      booking_status: 'confirmed',
      user: { id: user.id, name: user.name, email: user.email },
      event: { id: event.id, title: event.title, date: event.startsAt.toISOString() },
      facilitator: { id: facilitator.id, name: 'Ravi Test', crm_id: facilitator.crmId },
    });
    expect(rows[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('lets facilitators and admins book too', async () => {
    const event = await createEvent();
    for (const role of ['facilitator', 'admin'] as const) {
      const { token } = await createUser(role);
      const res = await call('POST', '/book', { token, body: { event_id: event.id } });
      expect(res.status).toBe(201);
    }
    expect(await bookedCount(event.id)).toBe(2);
  });

  it('unlimited capacity (null) always has a seat', async () => {
    const event = await createEvent({ capacity: null });
    const { token } = await createUser();
    const res = await call('POST', '/book', { token, body: { event_id: event.id } });
    expect(res.status).toBe(201);
    expect(res.json.booking.event).toMatchObject({ capacity: null, seats_left: null, booked_count: 1 });
  });

  it('is 401 without a token', async () => {
    const event = await createEvent();
    expectError(await call('POST', '/book', { body: { event_id: event.id } }), 401, 'unauthorized');
  });

  const badBodies: Array<[string, unknown]> = [
    ['a string id', { event_id: '1' }],
    ['a list', { event_id: [1] }],
    ['no id', {}],
    ['zero', { event_id: 0 }],
    ['a negative id', { event_id: -3 }],
    ['a fraction', { event_id: 1.5 }],
    ['null', { event_id: null }],
    ['a string waitlist', { event_id: 1, waitlist: 'yes' }],
  ];
  it.each(badBodies)('is 400 validation_failed for %s', async (_label, body) => {
    const { token } = await createUser();
    const error = expectError(await call('POST', '/book', { token, body }), 400, 'validation_failed');
    expect(error.issues.length).toBeGreaterThan(0);
  });

  it('is 404 not_found for an event that does not exist', async () => {
    const { token } = await createUser();
    expectError(await call('POST', '/book', { token, body: { event_id: 987654321 } }), 404, 'not_found');
  });

  it('is 409 event_not_bookable for cancelled, completed and already started events', async () => {
    const { token } = await createUser();
    const cancelled = await createEvent({ status: 'cancelled' });
    const completed = await createEvent({ status: 'completed' });
    const started = await createEvent();
    await setEventStart(started.id, new Date(Date.now() - 60_000));
    for (const event of [cancelled, completed, started]) {
      expectError(await call('POST', '/book', { token, body: { event_id: event.id } }), 409, 'event_not_bookable');
    }
  });

  it('is 402 payment_required for a paid event, and books nothing', async () => {
    const event = await createEvent({ price: 49900 });
    const { token } = await createUser();
    expectError(await call('POST', '/book', { token, body: { event_id: event.id } }), 402, 'payment_required');
    expect(await bookedCount(event.id)).toBe(0);
  });

  it('is 409 already_booked for a second active booking, and allows a new one after cancelling', async () => {
    const event = await createEvent({ capacity: 3 });
    const { token } = await createUser();
    const first = await call('POST', '/book', { token, body: { event_id: event.id } });
    expectError(await call('POST', '/book', { token, body: { event_id: event.id } }), 409, 'already_booked');
    expectError(await call('POST', '/book', { token, body: { event_id: event.id, waitlist: true } }), 409, 'already_booked');
    await call('DELETE', `/cancel-booking/${first.json.booking.id}`, { token });
    const second = await call('POST', '/book', { token, body: { event_id: event.id } });
    expect(second.status).toBe(201);
    expect(second.json.booking.id).not.toBe(first.json.booking.id);
    expect(await bookedCount(event.id)).toBe(1);
  });

  it('is 409 event_full on a full event, and with waitlist: true adds a waitlisted booking', async () => {
    const event = await createEvent({ capacity: 1 });
    const [a, b, c] = [await createUser(), await createUser(), await createUser()];
    expect((await call('POST', '/book', { token: a.token, body: { event_id: event.id } })).status).toBe(201);
    expectError(await call('POST', '/book', { token: b.token, body: { event_id: event.id } }), 409, 'event_full');
    const waitB = await call('POST', '/book', { token: b.token, body: { event_id: event.id, waitlist: true } });
    const waitC = await call('POST', '/book', { token: c.token, body: { event_id: event.id, waitlist: true } });
    expect(waitB.status).toBe(201);
    expect(waitB.json.msg).toBe('Added to waitlist');
    expect(waitB.json.booking).toMatchObject({ status: 'waitlisted', waitlist_position: 1 });
    expect(waitC.json.booking).toMatchObject({ status: 'waitlisted', waitlist_position: 2 });
    expect(await bookedCount(event.id)).toBe(1);
    const [row] = await outboxRowsFor({ bookingIds: [waitB.json.booking.id] });
    expect(row!.payload).toMatchObject({ type: 'booking.created', booking_status: 'waitlisted' });
  });

  it('waitlist: true on an event with free seats simply books a seat', async () => {
    const event = await createEvent({ capacity: 2 });
    const { token } = await createUser();
    const res = await call('POST', '/book', { token, body: { event_id: event.id, waitlist: true } });
    expect(res.json).toMatchObject({ msg: 'Booking successful', booking: { status: 'confirmed' } });
  });
});

describe('GET /bookings/:id', () => {
  it("is 403 for someone else's booking, 200 for an admin, 404 when missing, 400 for a bad id", async () => {
    const event = await createEvent();
    const owner = await createUser();
    const other = await createUser();
    const admin = await createUser('admin');
    const booked = await call('POST', '/book', { token: owner.token, body: { event_id: event.id } });
    const id = booked.json.booking.id;
    expectError(await call('GET', `/bookings/${id}`, { token: other.token }), 403, 'forbidden');
    expect((await call('GET', `/bookings/${id}`, { token: admin.token })).json.booking.id).toBe(id);
    expectError(await call('GET', '/bookings/99999999', { token: owner.token }), 404, 'not_found');
    expectError(await call('GET', '/bookings/abc', { token: owner.token }), 400, 'validation_failed');
    expectError(await call('GET', `/bookings/${id}`), 401, 'unauthorized');
  });
});
