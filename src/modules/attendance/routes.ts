import { currentUser, requireRole } from '../../http/auth';
import { ApiError } from '../../http/errors';
import { createRouter } from '../../http/factory';
import { idParam } from '../../http/params';
import { describeRoute } from '../../http/route-marks';
import { validate } from '../../http/validate';
import { visibleBooking } from '../bookings/read-model';
import { checkIn } from './check-in';
import { qrSvg } from './qr';
import { checkedInSchema, checkInBody } from './schemas';
import { checkInOpensMinutes } from './settings';

export const attendanceRoutes = createRouter()
  .post(
    '/check-in',
    describeRoute({
      summary: 'Check a booking in at the door (admin; the event’s facilitator)',
      description:
        'By the scanned check-in code or by booking id. Open from CHECK_IN_OPENS_MINUTES before the start until 12 hours ' +
        'after the end. Two scans at once: one 200, the other 409 already_checked_in.',
      tags: ['Attendance'],
      responses: { 200: { description: 'Checked in (attendance: attended)', schema: checkedInSchema } },
      errors: ['forbidden', 'not_found', 'booking_not_confirmed', 'already_checked_in', 'check_in_closed'],
    }),
    requireRole('admin', 'facilitator'),
    validate('json', checkInBody),
    async (c) => {
      const body = c.req.valid('json');
      const booking = await checkIn(c.get('db'), c.env.CRM_QUEUE, {
        actor: currentUser(c),
        target: body.code !== undefined ? { code: body.code } : { bookingId: body.booking_id! },
        opensMinutes: checkInOpensMinutes(c.env),
      });
      return c.json({ msg: 'Checked in' as const, booking });
    },
  )
  .get(
    '/bookings/:id/qr.svg',
    describeRoute({
      summary: 'The booking’s check-in code as a QR code (its user or an admin)',
      tags: ['Attendance'],
      responses: { 200: { description: 'An SVG image of the QR code', mediaType: 'image/svg+xml' } },
      errors: ['forbidden', 'not_found', 'booking_not_confirmed'],
    }),
    validate('param', idParam),
    async (c) => {
      const found = await visibleBooking(c.get('db'), c.req.valid('param').id, currentUser(c));
      if (found.booking.status !== 'confirmed' || !found.booking.checkInCode) {
        throw new ApiError(
          'booking_not_confirmed',
          `Only a confirmed booking has a check-in code (this one is ${found.booking.status})`,
        );
      }
      return c.body(qrSvg(found.booking.checkInCode), 200, {
        'Content-Type': 'image/svg+xml',
        // The code is a secret of its user: never kept by a shared cache.
        'Cache-Control': 'private, no-store',
      });
    },
  );
