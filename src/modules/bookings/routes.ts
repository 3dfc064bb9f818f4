import { z } from 'zod';
import { currentUser } from '../../http/auth';
import { ApiError } from '../../http/errors';
import { createRouter } from '../../http/factory';
import { idParam } from '../../http/params';
import { describeRoute } from '../../http/route-marks';
import { validate } from '../../http/validate';
import { refundBooking } from '../payments/refund';
import { paymentSettings } from '../payments/settings';
import { bookSeat } from './book';
import { cancelBooking } from './cancel';
import { idempotent } from './idempotency';
import { maxActiveBookings } from './limit';
import { bookingJson, bookingJsonById, findBooking, myBookings, type BookingWithEvent } from './read-model';
import { bookBody, bookingSchema, idempotencyHeader, myBookingsQuery, type BookingJson } from './schemas';
import { decodeCursor, MAX_PAGE_SIZE, pageOf } from '../../http/page';

const bookingAnswer = (msg: string) => z.object({ msg: z.literal(msg), booking: bookingSchema });

export const bookingRoutes = createRouter()
  .post(
    '/book',
    describeRoute({
      summary: 'Book a free event (or join its waitlist)',
      tags: ['Bookings'],
      rateLimit: 'user',
      description: 'The seat check and the insert are one atomic database step. A paid event goes through POST /create-payment.',
      headers: [
        {
          name: 'Idempotency-Key',
          description: 'Up to 255 characters; the same key and body within 24 h return the first answer again',
        },
      ],
      responses: {
        201: {
          description: 'Booked, or added to the waitlist',
          schema: z.union([bookingAnswer('Booking successful'), bookingAnswer('Added to waitlist')]),
        },
      },
      errors: [
        'payment_required',
        'not_found',
        'event_full',
        'already_booked',
        'event_not_bookable',
        'idempotency_key_in_progress',
        'booking_limit_reached',
        'idempotency_key_reused',
      ],
    }),
    validate('header', idempotencyHeader),
    validate('json', bookBody),
    async (c) => {
      const user = currentUser(c);
      const body = c.req.valid('json');
      const input = { userId: user.id, eventId: body.event_id, waitlist: body.waitlist ?? false };
      const key = c.req.valid('header')['idempotency-key'];
      const request = key ? { userId: user.id, key, fingerprint: `POST /book ${JSON.stringify(input)}` } : null;
      const booked = (booking: BookingJson) => ({
        status: 201 as const,
        body: { msg: booking.status === 'waitlisted' ? 'Added to waitlist' : 'Booking successful', booking },
      });
      const answer = await idempotent(
        c.var.db,
        request,
        async () => {
          const seat = { ...input, maxActiveBookings: maxActiveBookings(c.env), idempotencyKey: key };
          return booked(await bookSeat(c.var.db, c.env.CRM_QUEUE, seat));
        },
        async (bookingId) => booked(await bookingJsonById(c.var.db, bookingId)),
      );
      return c.json(answer.body as object, answer.status);
    },
  )
  .get(
    '/my-bookings',
    describeRoute({
      summary: "The caller's bookings, split around now (cancelled ones included, with their status)",
      tags: ['Bookings'],
      description:
        'Each list is one page of `limit` (1 to 100, default 100); next_upcoming_cursor and next_past_cursor (null on the ' +
        'last page) go back as upcoming_cursor and past_cursor for the next one.',
      responses: {
        200: {
          description: 'upcoming: soonest first; past (the event has started): latest first',
          schema: z.object({
            upcoming_bookings: z.array(bookingSchema),
            past_bookings: z.array(bookingSchema),
            next_upcoming_cursor: z.string().nullable(),
            next_past_cursor: z.string().nullable(),
          }),
        },
      },
    }),
    validate('query', myBookingsQuery),
    async (c) => {
      const { limit = MAX_PAGE_SIZE, upcoming_cursor, past_cursor } = c.req.valid('query');
      const lists = await myBookings(c.var.db, currentUser(c).id, {
        limit,
        upcomingAfter: upcoming_cursor === undefined ? undefined : decodeCursor(upcoming_cursor, 2, 'upcoming_cursor'),
        pastBefore: past_cursor === undefined ? undefined : decodeCursor(past_cursor, 2, 'past_cursor'),
        now: new Date(),
      });
      const keyOf = (row: BookingWithEvent) => [row.event.startsAt.getTime(), row.booking.id];
      const upcoming = pageOf(lists.upcoming, limit, keyOf);
      const past = pageOf(lists.past, limit, keyOf);
      return c.json({
        upcoming_bookings: upcoming.page.map(bookingJson),
        past_bookings: past.page.map(bookingJson),
        next_upcoming_cursor: upcoming.nextCursor,
        next_past_cursor: past.nextCursor,
      });
    },
  )
  .get(
    '/bookings/:id',
    describeRoute({
      summary: 'One booking (its user or an admin)',
      tags: ['Bookings'],
      responses: { 200: { description: 'The booking', schema: z.object({ booking: bookingSchema }) } },
      errors: ['forbidden', 'not_found'],
    }),
    validate('param', idParam),
    async (c) => {
      const user = currentUser(c);
      const found = await findBooking(c.var.db, c.req.valid('param').id);
      if (!found) throw new ApiError('not_found', 'Booking not found');
      if (found.booking.userId !== user.id && user.role !== 'admin') throw new ApiError('forbidden', 'This booking is not yours');
      return c.json({ booking: bookingJson(found) });
    },
  )
  .delete(
    '/cancel-booking/:id',
    describeRoute({
      summary: 'Cancel a booking (its user or an admin); the row stays as cancelled',
      rateLimit: 'user',
      description: 'The earliest waitlisted booking gets the freed seat; a paid booking is refunded.',
      tags: ['Bookings'],
      responses: { 200: { description: 'Cancelled', schema: bookingAnswer('Booking cancelled') } },
      errors: ['forbidden', 'not_found', 'booking_already_cancelled', 'event_started'],
    }),
    validate('param', idParam),
    async (c) => {
      const { db } = c.var;
      const cancelled = await cancelBooking(db, c.env.CRM_QUEUE, { bookingId: c.req.valid('param').id, actor: currentUser(c) });
      if (!cancelled.is_paid) return c.json({ msg: 'Booking cancelled' as const, booking: cancelled });
      const refunded = await refundBooking(db, c.env.CRM_QUEUE, paymentSettings(c.env), cancelled.id);
      const booking = refunded ? await bookingJsonById(db, cancelled.id) : cancelled;
      return c.json({ msg: 'Booking cancelled' as const, booking });
    },
  );
