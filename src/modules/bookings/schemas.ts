import { z } from 'zod';
import { pageCursor, pageLimit } from '../../http/page';
import { BOOKING_STATUSES } from '../../db/schema';
import { eventSchema } from '../events/schemas';

/** `event_id` must be a JSON integer: a string or a list is a validation error, as the predecessor's faults showed. */
export const bookBody = z.object({
  event_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  waitlist: z.boolean().optional().describe('true: join the waitlist when the event is full instead of 409 event_full'),
});

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** Hono's header validator sees lower-cased names. */
export const idempotencyHeader = z.object({
  'idempotency-key': z.string().trim().min(1).max(MAX_IDEMPOTENCY_KEY_LENGTH).optional(),
});

export const bookingSchema = z
  .object({
    id: z.number().int(),
    event_id: z.number().int(),
    user_id: z.number().int(),
    status: z.enum(BOOKING_STATUSES),
    booked_at: z.string(),
    cancelled_at: z.string().nullable(),
    cancel_reason: z.string().nullable().describe('user_cancelled, admin_cancelled or event_cancelled (payments add their own)'),
    waitlist_position: z.number().int().nullable().describe('1-based place in the queue while waitlisted, else null'),
    is_paid: z.boolean(),
    payment_id: z.string().nullable(),
    amount_paid: z.number().int().nullable(),
    currency: z.string(),
    event: eventSchema,
  })
  .meta({ id: 'Booking' });

export type BookingJson = z.infer<typeof bookingSchema>;

export const myBookingsQuery = z.object({ limit: pageLimit, upcoming_cursor: pageCursor, past_cursor: pageCursor });
