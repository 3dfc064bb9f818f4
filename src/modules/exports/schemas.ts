import { z } from 'zod';
import { isoInstant } from '../../http/params';

export const exportQuery = z
  .object({
    from: isoInstant.optional().describe('Bookings made at or after this instant (booked_at); all when omitted'),
    to: isoInstant.optional().describe('Bookings made before this instant (booked_at); all when omitted'),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { path: ['to'], message: 'Must be after from' });
