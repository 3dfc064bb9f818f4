import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import { bookings } from '../../db/schema';
import type { AppEnv } from '../../env';
import { forbidden, notFound } from '../../http/errors';
import { currentUser } from '../../http/auth';
import { validate } from '../../http/validate';
import { describeRoute } from '../../http/route-marks';
import { bookBody, bookingSchema, idempotencyHeader, type BookingJson } from './schemas';
import { idParam } from '../../http/params';
import { bookSeat } from './book';
import { maxActiveBookings } from './limit';
import { cancelBooking } from './cancel';
import { bookingJson, findBooking, loadBookings } from './read-model';
import { publishOutbox } from '../crm/outbox';
import { idempotent } from './idempotency';
import { refundBooking } from '../payments/refund';
import { paymentSettings } from '../payments/settings';

const bookingAnswer = (msg: string) => z.object({ msg: z.literal(msg), booking: bookingSchema });

export const bookingRoutes = new Hono<AppEnv>()
  .post(
    '/book',
    describeRoute({
      summary: 'Book a free event (or join its waitlist)',
      tags: ['Bookings'],
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
        402: { description: 'payment_required: the event has a price' },
        404: { description: 'not_found: no such event' },
        409: {
          description:
            'event_full, already_booked, event_not_bookable, idempotency_key_in_progress, booking_limit_reached ' +
            '(MAX_ACTIVE_BOOKINGS_PER_USER active bookings on upcoming events)',
        },
        422: { description: 'idempotency_key_reused: the key was used with another body' },
      },
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
          const { booking, messages } = await bookSeat(c.var.db, seat);
          await publishOutbox(c.env.DB, c.env.CRM_QUEUE, messages);
          return booked(booking);
        },
        async (bookingId) => {
          const found = await findBooking(c.var.db, bookingId);
          if (!found) throw notFound('Booking not found');
          return booked(bookingJson(found));
        },
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
      responses: {
        200: { description: 'The booking', schema: z.object({ booking: bookingSchema }) },
        404: { description: 'not_found' },
      },
    }),
    validate('param', idParam),
    async (c) => {
      const user = currentUser(c);
      const found = await findBooking(c.var.db, c.req.valid('param').id);
      if (!found) throw notFound('Booking not found');
      if (found.booking.userId !== user.id && user.role !== 'admin') throw forbidden('This booking is not yours');
      return c.json({ booking: bookingJson(found) });
    },
  )
  .delete(
    '/cancel-booking/:id',
    describeRoute({
      summary: 'Cancel a booking (its user or an admin); the row stays as cancelled',
      tags: ['Bookings'],
      responses: {
        200: {
          description: 'Cancelled; the earliest waitlisted booking gets the seat',
          schema: bookingAnswer('Booking cancelled'),
        },
        404: { description: 'not_found' },
        409: { description: 'booking_already_cancelled, event_started' },
      },
    }),
    validate('param', idParam),
    async (c) => {
      const actor = currentUser(c);
      const cancelled = await cancelBooking(c.var.db, { bookingId: c.req.valid('param').id, actor });
      const refunds = cancelled.booking.is_paid
        ? await refundBooking(c.var.db, paymentSettings(c.env), cancelled.booking.id)
        : [];
      await publishOutbox(c.env.DB, c.env.CRM_QUEUE, [...cancelled.messages, ...refunds]);
      const found = refunds.length ? await findBooking(c.var.db, cancelled.booking.id) : undefined;
      return c.json({ msg: 'Booking cancelled' as const, booking: found ? bookingJson(found) : cancelled.booking });
    },
  );
