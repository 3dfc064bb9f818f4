import { Hono } from 'hono';
import { Batch } from '../../../src/db/batch';
import { ACTIVE_BOOKING_STATUSES_SQL } from '../../../src/db/statuses';
import { bookingsQuery } from '../../../src/modules/bookings/read-model';
import { takeSeat } from '../../../src/modules/bookings/take-seat';

/**
 * Ceiling for POST /book: one D1 batch of the same statements the route's batch runs when the event has a seat (the
 * conditional INSERT, its booking.created outbox row, the seat recount, the booking read back with its event), built
 * by the app's own statement builders so it stays the same as the route changes. No middleware, authentication,
 * validation, JSON shaping or queue send: what is left of POST /book when everything but its database work is gone.
 */
export default new Hono<{ Bindings: { DB: D1Database } }>().post('/', async (c) => {
  const body = await c.req.json<{ event_id: number; user_id: number }>();
  const request = { userId: body.user_id, eventId: body.event_id, maxActiveBookings: 20 };
  const now = new Date();
  const batch = new Batch(c.env.DB);
  const seat = takeSeat(batch, request, { status: 'confirmed' }, now, { notify: true });
  const query = bookingsQuery({
    where: `b.user_id = ? AND b.event_id = ? AND b.status IN ${ACTIVE_BOOKING_STATUSES_SQL}`,
    params: [request.userId, request.eventId],
  });
  const active = batch.sql(query.sql, ...query.params);
  const result = await batch.run();
  if (!result.rows(seat)[0]) return c.json({ msg: 'not booked' }, 409);
  return c.json({ booking: result.rows(active)[0] }, 201);
});
