import { z } from 'zod';
import { currentUser, requireRole, tokenSubject } from '../../http/auth';
import { createRouter } from '../../http/factory';
import { idParam } from '../../http/params';
import { describeRoute } from '../../http/route-marks';
import { validate } from '../../http/validate';
import { maxActiveBookings } from '../bookings/limit';
import { eventJson } from '../events/read-model';
import { eventDeps } from '../events/manage';
import { bookSeries } from './book';
import { createSeries } from './create';
import { horizonDays } from './generate';
import { cancelSeries, updateSeries } from './manage';
import { findSeries, seriesJson, upcomingOccurrences } from './read-model';
import {
  createSeriesBody,
  seriesBookBody,
  seriesBookedAnswer,
  seriesSchema,
  seriesWithEvents,
  updateSeriesBody,
} from './schemas';

const managers = requireRole('admin', 'facilitator');

export const seriesRoutes = createRouter()
  .post(
    '/series',
    describeRoute({
      summary: 'Create a recurring series and its first occurrences (admin; a facilitator for itself)',
      description:
        'Occurrences are events with series_id, at the first one’s wall-clock time in `timezone` across DST. COUNT/UNTIL ' +
        'series are made whole (up to 365); open-ended ones SERIES_HORIZON_DAYS ahead, extended by the cron.',
      tags: ['Series'],
      responses: {
        201: {
          description: 'Created',
          schema: seriesWithEvents.extend({ msg: z.literal('Series created') }),
        },
      },
      errors: ['forbidden', 'location_not_found', 'facilitator_not_found'],
    }),
    managers,
    validate('json', createSeriesBody),
    async (c) => {
      const db = c.get('db');
      const row = await createSeries(
        db,
        { ...eventDeps(c.env), horizonDays: horizonDays(c.env) },
        currentUser(c),
        c.req.valid('json'),
      );
      const events = await upcomingOccurrences(db, row.id);
      return c.json({ msg: 'Series created' as const, series: seriesJson(row), events: events.map(eventJson) }, 201);
    },
  )
  .get(
    '/series/:id',
    describeRoute({
      summary: 'A series and its upcoming occurrences, soonest first',
      tags: ['Series'],
      public: true,
      cache: {},
      responses: { 200: { description: 'The series', schema: seriesWithEvents } },
      errors: ['not_found'],
    }),
    validate('param', idParam),
    async (c) => {
      const row = await findSeries(c.get('db'), c.req.valid('param').id);
      const events = await upcomingOccurrences(c.get('db'), row.id);
      return c.json({ series: seriesJson(row), events: events.map(eventJson) });
    },
  )
  .patch(
    '/series/:id',
    describeRoute({
      summary: 'Change the template of a series and of every upcoming occurrence (admin; the series’ facilitator)',
      description: 'Only the fields given change. rrule, times, timezone and facilitator_id cannot be changed (400).',
      tags: ['Series'],
      responses: {
        200: { description: 'Updated', schema: seriesWithEvents.extend({ msg: z.literal('Series updated') }) },
      },
      errors: ['forbidden', 'not_found', 'series_cancelled', 'capacity_below_bookings', 'location_not_found'],
    }),
    managers,
    validate('param', idParam),
    validate('json', updateSeriesBody),
    async (c) => {
      const db = c.get('db');
      const row = await updateSeries(db, eventDeps(c.env), currentUser(c), c.req.valid('param').id, c.req.valid('json'));
      const events = await upcomingOccurrences(db, row.id);
      return c.json({ msg: 'Series updated' as const, series: seriesJson(row), events: events.map(eventJson) });
    },
  )
  .delete(
    '/series/:id',
    describeRoute({
      summary: 'Cancel a series and every upcoming occurrence, as DELETE /events/:id does (admin; the series’ facilitator)',
      tags: ['Series'],
      responses: {
        200: {
          description: 'Cancelled (also when it already was: then nothing more is cancelled)',
          schema: z.object({
            msg: z.literal('Series cancelled'),
            series: seriesSchema,
            cancelled_event_ids: z.array(z.number().int()),
          }),
        },
      },
      errors: ['forbidden', 'not_found'],
    }),
    managers,
    validate('param', idParam),
    async (c) => {
      const done = await cancelSeries(c.get('db'), eventDeps(c.env), currentUser(c), c.req.valid('param').id);
      return c.json({
        msg: 'Series cancelled' as const,
        series: seriesJson(done.series),
        cancelled_event_ids: done.cancelledEventIds,
      });
    },
  )
  .post(
    '/series/:id/book',
    describeRoute({
      summary: 'Book every upcoming occurrence of a free series (or of a paid one with a pass), all or nothing',
      description:
        'Occurrences the caller already holds are skipped; the per-user cap counts each occurrence. The body is optional: ' +
        '{pass_id} pays a paid series with one credit of that member pass per occurrence (too few credits: nothing is booked).',
      tags: ['Series'],
      rateLimit: 'user',
      // The booking batch checks the access token is current (one D1 round trip books).
      userCheck: 'in-batch',
      responses: { 201: { description: 'Booked', schema: seriesBookedAnswer } },
      errors: [
        'not_found',
        'payment_required',
        'pass_not_usable',
        'event_full',
        'already_booked',
        'event_not_bookable',
        'booking_limit_reached',
      ],
    }),
    validate('param', idParam),
    validate('json', seriesBookBody, { optional: true }),
    async (c) => {
      const subject = tokenSubject(c);
      const booked = await bookSeries(c.get('db'), c.env.CRM_QUEUE, {
        seriesId: c.req.valid('param').id,
        userId: subject.id,
        tokenVersion: subject.version,
        maxActiveBookings: maxActiveBookings(c.env),
        memberPassId: c.req.valid('json').pass_id,
      });
      return c.json({ msg: 'Series booked' as const, bookings: booked }, 201);
    },
  );
