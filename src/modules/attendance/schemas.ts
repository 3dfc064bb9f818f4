import { z } from 'zod';
import { bookingSchema } from '../bookings/schemas';
import { positiveId } from '../../http/params';

/** Exactly one of the two: the scanned code, or the booking id typed in at the door. */
export const checkInBody = z
  .object({
    code: z.string().trim().min(1).max(64).optional().describe('The check-in code from the booking’s QR code'),
    booking_id: positiveId.optional(),
  })
  .refine((body) => (body.code === undefined) !== (body.booking_id === undefined), {
    message: 'Give code or booking_id (one of them)',
    path: ['code'],
  })
  .meta({ id: 'CheckIn' });

export const checkedInSchema = z.object({ msg: z.literal('Checked in'), booking: bookingSchema });
