import { currentUser, requireRole } from '../../http/auth';
import { ApiError } from '../../http/errors';
import { createRouter } from '../../http/factory';
import { idParam } from '../../http/params';
import { describeRoute } from '../../http/route-marks';
import { validate } from '../../http/validate';
import { assertCanManageEvent } from '../events/access';
import { findEvent } from '../events/read-model';
import { bookingsCsvStream } from './booking-rows';
import { CSV_CONTENT_TYPE } from './csv';
import { exportQuery } from './schemas';

const csvHeaders = (filename: string) => ({
  'Content-Type': CSV_CONTENT_TYPE,
  'Content-Disposition': `attachment; filename="${filename}"`,
  // Names and emails of people: never kept by a shared cache.
  'Cache-Control': 'private, no-store',
});

const COLUMNS_NOTE =
  'Columns: booking_id, event_id, event_title, event_starts_at, facilitator, user_id, user_name, user_email, status, ' +
  'booked_at, cancelled_at, cancel_reason, late_cancel, attendance, attended_at, is_paid, payment_provider, payment_id, ' +
  'amount_paid, refund_amount, currency (no check-in codes). RFC 4180 quoting; cells starting with =, +, -, @ get a ' +
  "leading '. Streamed page by page.";

export const exportRoutes = createRouter()
  .get(
    '/events/:id/bookings.csv',
    describeRoute({
      summary: 'The event’s roster as a CSV download (admin; the event’s facilitator)',
      description: COLUMNS_NOTE,
      tags: ['Exports'],
      responses: { 200: { description: 'text/csv, a header row then one row per booking', mediaType: 'text/csv' } },
      errors: ['forbidden', 'not_found'],
    }),
    requireRole('admin', 'facilitator'),
    validate('param', idParam),
    async (c) => {
      const { id } = c.req.valid('param');
      const event = await findEvent(c.get('db'), id);
      if (!event) throw new ApiError('not_found', 'Event not found');
      await assertCanManageEvent(c.get('db'), currentUser(c), event);
      const stream = await bookingsCsvStream(c.get('db').$client, { where: 'b.event_id = ?', params: [id] });
      return c.body(stream, 200, csvHeaders(`event-${id}-bookings.csv`));
    },
  )
  .get(
    '/admin/exports/bookings.csv',
    describeRoute({
      summary: 'Every booking made in a period (booked_at in [from, to)) as a CSV download (admin)',
      description: COLUMNS_NOTE,
      tags: ['Exports'],
      responses: { 200: { description: 'text/csv, a header row then one row per booking', mediaType: 'text/csv' } },
      errors: ['forbidden'],
    }),
    requireRole('admin'),
    validate('query', exportQuery),
    async (c) => {
      const { from, to } = c.req.valid('query');
      const stream = await bookingsCsvStream(c.get('db').$client, {
        where: 'b.booked_at >= ? AND b.booked_at < ?',
        params: [from?.getTime() ?? 0, to?.getTime() ?? Number.MAX_SAFE_INTEGER],
      });
      return c.body(stream, 200, csvHeaders('bookings.csv'));
    },
  );
