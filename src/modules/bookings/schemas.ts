import { z } from 'zod';
import { ATTENDANCE, BOOKING_STATUSES } from '../../db/schema';
import { pageCursor, pageLimit } from '../../http/page';
import { eventSchema } from '../events/schemas';
import { positiveId } from '../../http/params';

/** `event_id` must be a JSON integer: a string or a list is a validation error, as the predecessor's faults showed. */
export const bookBody = z.object({
  event_id: positiveId,
  waitlist: z.boolean().optional().describe('true: join the waitlist when the event is full instead of 409 event_full'),
  pass_id: positiveId.optional().describe('Pay a paid event with one credit of this member pass (an id from GET /me/passes)'),
});

export const transferBody = z.object({ event_id: positiveId.describe('The event to move to') }).meta({ id: 'Transfer' });

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
    policy: z
      .object({
        cutoff_at: z.string().describe('Free cancellation until then (the policy when the booking was made)'),
        late_cancel_refund_percent: z.number().int().describe('Refunded on a cancel from cutoff_at until the start'),
      })
      .describe('The cancellation policy this booking was made under; later edits of the event do not change it'),
    late_cancel: z.boolean().describe('Cancelled by its user from cutoff_at on'),
    refund_amount: z
      .number()
      .int()
      .nullable()
      .describe('Set by a cancel of a paid booking: what is refunded (minor units; 0 on a late cancel without refund)'),
    check_in_code: z
      .string()
      .nullable()
      .describe('The secret the door scans (GET /bookings/:id/qr.svg); only for a confirmed booking, its user and admins'),
    attendance: z.enum(ATTENDANCE).nullable().describe('null until checked in (attended) or marked a no-show by the cron'),
    attended_at: z.string().nullable(),
    offer_expires_at: z.string().nullable().describe('While offered: until when the seat is held for POST /bookings/:id/claim'),
    transferred_from: z.number().int().nullable().describe('The booking this one was transferred from'),
    paid_with: z
      .enum(['money', 'pass', 'voucher'])
      .nullable()
      .describe('money: paid through a provider; pass: a credit of member_pass_id; voucher: a voucher brought it to 0'),
    member_pass_id: z.number().int().nullable(),
    event: eventSchema,
  })
  .meta({ id: 'Booking' });

export const cancellationQuoteSchema = z
  .object({
    booking_id: z.number().int(),
    late: z.boolean().describe('Cancelling now is a late cancel (the booking’s own user, from cutoff_at on)'),
    cutoff_at: z.string(),
    refund: z
      .object({ amount: z.number().int(), currency: z.string() })
      .nullable()
      .describe('What cancelling now refunds; null when nothing would be'),
    credit_returned: z.boolean().describe('Whether a class-pass credit would come back'),
  })
  .meta({ id: 'CancellationQuote' });

export type BookingJson = z.infer<typeof bookingSchema>;

export const myBookingsQuery = z.object({ limit: pageLimit, upcoming_cursor: pageCursor, past_cursor: pageCursor });
