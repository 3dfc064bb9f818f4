import { currentUser } from '../../http/auth';
import { createRouter } from '../../http/factory';
import { idParam } from '../../http/params';
import { describeRoute } from '../../http/route-marks';
import { validate } from '../../http/validate';
import { eventCalendar } from './event-calendar';
import { feedCalendar, issueFeedToken } from './feed';
import { CALENDAR_CONTENT_TYPE } from './ical';
import { calendarFeedSchema, feedFileParam } from './schemas';

export const calendarRoutes = createRouter()
  .get(
    '/events/:id/calendar.ics',
    describeRoute({
      summary: 'The event as an iCalendar file (RFC 5545), to import into a calendar',
      description:
        'One VEVENT: UID event-<id>@ahoum, UTC times, SEQUENCE that grows with every reschedule or cancel, ' +
        'STATUS:CANCELLED once the event is cancelled, GEO when the place has coordinates.',
      tags: ['Calendars'],
      public: true,
      cache: {},
      responses: { 200: { description: 'A VCALENDAR with one VEVENT', mediaType: 'text/calendar' } },
      errors: ['not_found'],
    }),
    validate('param', idParam),
    async (c) => {
      const text = await eventCalendar(c.get('db'), c.req.valid('param').id);
      return c.body(text, 200, {
        'Content-Type': CALENDAR_CONTENT_TYPE,
        'Content-Disposition': `attachment; filename="event-${c.req.valid('param').id}.ics"`,
      });
    },
  )
  .post(
    '/me/calendar-feed',
    describeRoute({
      summary: 'A secret calendar subscription URL for the caller; a new one replaces the old (no body)',
      description:
        'The feed lists your confirmed, waitlisted and offered bookings from 30 days ago on (cancelled ones as ' +
        'STATUS:CANCELLED) and, for a facilitator, its own events with the number booked. Calling again revokes ' +
        'the previous URL (it answers 404).',
      tags: ['Calendars'],
      responses: { 201: { description: 'The subscription URL', schema: calendarFeedSchema } },
    }),
    async (c) => {
      const token = await issueFeedToken(c.get('db'), currentUser(c));
      return c.json({ url: `${new URL(c.req.url).origin}/calendar/${token}.ics` }, 201);
    },
  )
  .get(
    '/calendar/:file',
    describeRoute({
      summary: 'A personal calendar feed, by its secret URL (no Authorization: calendar apps cannot send one)',
      description:
        'The path is /calendar/<token>.ics from POST /me/calendar-feed. ETag and If-None-Match (304) keep ' +
        'polling calendar apps cheap; the answer is private (the URL is the secret).',
      tags: ['Calendars'],
      public: true,
      cache: { sharedWhen: () => false },
      responses: { 200: { description: 'A VCALENDAR of the feed', mediaType: 'text/calendar' } },
      errors: ['not_found'],
    }),
    validate('param', feedFileParam),
    async (c) => {
      const text = await feedCalendar(c.get('db'), c.req.valid('param').file, new Date());
      return c.body(text, 200, { 'Content-Type': CALENDAR_CONTENT_TYPE });
    },
  );
