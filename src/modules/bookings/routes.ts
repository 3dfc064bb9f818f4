import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { bookings } from '../../db/schema';
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
import { bookingJson, bookingJsonById, findBooking, loadBookings } from './read-model';
import { bookBody, bookingSchema, idempotencyHeader, type BookingJson } from './schemas';

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
      responses: {
        200: {
          description: 'upcoming: soonest first; past (the event has started): latest first',
          schema: z.object({ upcoming_bookings: z.array(bookingSchema), past_bookings: z.array(bookingSchema) }),
        },
      },
    }),
    async (c) => {
      const now = Date.now();
      const rows = await loadBookings(c.var.db, eq(bookings.userId, currentUser(c).id));
      const upcoming = rows.filter((row) => row.event.startsAt.getTime() > now);
      const past = rows.filter((row) => row.event.startsAt.getTime() <= now).reverse();
      return c.json({ upcoming_bookings: upcoming.map(bookingJson), past_bookings: past.map(bookingJson) });
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
