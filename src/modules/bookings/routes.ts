import { ownBookingOnly } from './access';
import { z } from 'zod';
import type { Database } from '../../env';
import { findAlternatives } from '../events/alternatives';
import { findEvent } from '../events/read-model';
import { assertTokenCurrent, currentUser, tokenSubject } from '../../http/auth';
import { ApiError } from '../../http/errors';
import { createRouter } from '../../http/factory';
import { idParam } from '../../http/params';
import { describeRoute } from '../../http/route-marks';
import { validate } from '../../http/validate';
import { refundBooking } from '../payments/refund';
import { paymentSettings } from '../payments/settings';
import { bookSeat } from './book';
import { cancelBooking, quoteCancellation } from './cancel';
import { idempotent } from './idempotency';
import { maxActiveBookings } from './limit';
import { quoteJson } from './policy';
import { waitlistRules } from './waitlist';
import { bookingJson, bookingJsonById, myBookings, visibleBooking, type BookingWithEvent } from './read-model';
import {
  bookBody,
  bookingSchema,
  cancellationQuoteSchema,
  idempotencyHeader,
  myBookingsQuery,
  transferBody,
  type BookingJson,
} from './schemas';
import { transferBooking } from './transfer';
import { decodeCursor, MAX_PAGE_SIZE, pageOf } from '../../http/page';

/** A full event's 409 carries up to three similar events with free seats (GET /events/:id/alternatives). */
async function withAlternatives(db: Database, eventId: number, error: unknown): Promise<never> {
  if (error instanceof ApiError && error.code === 'event_full') {
    const event = await findEvent(db, eventId);
    // The refusal stands even if the suggestions cannot be read.
    const alternatives = event ? await findAlternatives(db, event).catch(() => []) : [];
    throw new ApiError('event_full', error.message, { extra: { alternatives } });
  }
  throw error;
}

const bookingAnswer = (msg: string) => z.object({ msg: z.literal(msg), booking: bookingSchema });

export const bookingRoutes = createRouter()
  .post(
    '/book',
    describeRoute({
      summary: 'Book a free event (or join its waitlist)',
      tags: ['Bookings'],
      rateLimit: 'user',
      // The booking batch checks the access token is current: one D1 round trip for the whole booking.
      userCheck: 'in-batch',
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
        'pass_not_usable',
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
      const user = tokenSubject(c);
      const body = c.req.valid('json');
      const input = { userId: user.id, eventId: body.event_id, waitlist: body.waitlist ?? false, memberPassId: body.pass_id };
      const key = c.req.valid('header')['idempotency-key'];
      // A keyed request may be answered from an earlier answer without any batch: its token is checked first.
      if (key) await assertTokenCurrent(c.get('db').$client, user);
      const request = key ? { userId: user.id, key, fingerprint: `POST /book ${JSON.stringify(input)}` } : null;
      const booked = (booking: BookingJson) => ({
        status: 201 as const,
        body: { msg: booking.status === 'waitlisted' ? 'Added to waitlist' : 'Booking successful', booking },
      });
      const answer = await idempotent(
        c.get('db'),
        request,
        async () => {
          const seat = {
            ...input,
            tokenVersion: user.version,
            maxActiveBookings: maxActiveBookings(c.env),
            idempotencyKey: key,
            rules: waitlistRules(c.env),
          };
          return booked(
            await bookSeat(c.get('db'), c.env.CRM_QUEUE, seat).catch((error) =>
              withAlternatives(c.get('db'), input.eventId, error),
            ),
          );
        },
        async (bookingId) => booked(await bookingJsonById(c.get('db'), bookingId, 'owner')),
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
      const lists = await myBookings(c.get('db'), currentUser(c).id, {
        limit,
        upcomingAfter: upcoming_cursor === undefined ? undefined : decodeCursor(upcoming_cursor, 2, 'upcoming_cursor'),
        pastBefore: past_cursor === undefined ? undefined : decodeCursor(past_cursor, 2, 'past_cursor'),
        now: new Date(),
      });
      const keyOf = (row: BookingWithEvent) => [row.event.startsAt.getTime(), row.booking.id];
      const upcoming = pageOf(lists.upcoming, limit, keyOf);
      const past = pageOf(lists.past, limit, keyOf);
      return c.json({
        upcoming_bookings: upcoming.page.map((row) => bookingJson(row, 'owner')),
        past_bookings: past.page.map((row) => bookingJson(row, 'owner')),
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
      const found = await visibleBooking(c.get('db'), c.req.valid('param').id, currentUser(c));
      return c.json({ booking: bookingJson(found, 'owner') });
    },
  )
  .get(
    '/bookings/:id/cancellation-quote',
    describeRoute({
      summary: 'What cancelling this booking now would do (its user or an admin)',
      description:
        'Computed by the same function as the cancel: before the policy cut-off a paid booking is refunded in full; ' +
        'from the cut-off until the start its user gets floor(amount × late_cancel_refund_percent / 100). An admin ' +
        'cancelling someone else’s booking always refunds in full.',
      tags: ['Bookings'],
      responses: { 200: { description: 'The outcome of cancelling now', schema: cancellationQuoteSchema } },
      errors: ['forbidden', 'not_found', 'booking_already_cancelled', 'event_started'],
    }),
    validate('param', idParam),
    async (c) => {
      const bookingId = c.req.valid('param').id;
      const outcome = await quoteCancellation(c.get('db'), { bookingId, actor: currentUser(c) });
      return c.json(quoteJson(bookingId, outcome));
    },
  )
  .post(
    '/bookings/:id/transfer',
    describeRoute({
      summary: 'Move a confirmed booking to another event of the same price (the booking’s user), before its cut-off',
      rateLimit: 'user',
      description:
        'One atomic step: the new booking (transferred_from = this id) takes a seat of the target and this one is ' +
        'cancelled (reason transferred), its seat freed and its waitlist moved; a payment carries over.',
      tags: ['Bookings'],
      responses: { 201: { description: 'Transferred: the new booking', schema: bookingAnswer('Booking transferred') } },
      errors: [
        'forbidden',
        'not_found',
        'booking_not_confirmed',
        'event_full',
        'already_booked',
        'price_differs',
        'cutoff_passed',
        'event_not_bookable',
      ],
    }),
    validate('param', idParam),
    ownBookingOnly,
    validate('json', transferBody),
    async (c) => {
      const booking = await transferBooking(c.get('db'), c.env.CRM_QUEUE, {
        bookingId: c.req.valid('param').id,
        actor: currentUser(c),
        targetEventId: c.req.valid('json').event_id,
        rules: waitlistRules(c.env),
      });
      return c.json({ msg: 'Booking transferred' as const, booking }, 201);
    },
  )
  .delete(
    '/cancel-booking/:id',
    describeRoute({
      summary: 'Cancel a booking (its user or an admin); the row stays as cancelled',
      rateLimit: 'user',
      description:
        'The earliest waitlisted booking gets the freed seat. A paid booking is refunded by the cancellation policy ' +
        '(GET /bookings/:id/cancellation-quote shows the outcome beforehand): in full before the cut-off or by an ' +
        'admin; a late cancel by its user refunds the policy’s percent (late_cancel, refund_amount).',
      tags: ['Bookings'],
      responses: { 200: { description: 'Cancelled', schema: bookingAnswer('Booking cancelled') } },
      errors: ['forbidden', 'not_found', 'booking_already_cancelled', 'event_started'],
    }),
    validate('param', idParam),
    async (c) => {
      const db = c.get('db');
      const cancelled = await cancelBooking(db, c.env.CRM_QUEUE, {
        bookingId: c.req.valid('param').id,
        actor: currentUser(c),
        waitlist: waitlistRules(c.env),
      });
      if (!cancelled.is_paid) return c.json({ msg: 'Booking cancelled' as const, booking: cancelled });
      const refunded = await refundBooking(db, c.env.CRM_QUEUE, paymentSettings(c.env), cancelled.id);
      const booking = refunded ? await bookingJsonById(db, cancelled.id, 'owner') : cancelled;
      return c.json({ msg: 'Booking cancelled' as const, booking });
    },
  );
