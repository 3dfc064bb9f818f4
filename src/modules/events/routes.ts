import { z } from 'zod';
import { decodeCursor, MAX_PAGE_SIZE, pageOf, pageQuery } from '../../http/page';
import { currentUser, requireRole } from '../../http/auth';
import { ApiError } from '../../http/errors';
import { createRouter } from '../../http/factory';
import { idParam } from '../../http/params';
import { describeRoute } from '../../http/route-marks';
import { validate } from '../../http/validate';
import { bookingSchema } from '../bookings/schemas';
import { assertCanManageEvent } from './access';
import { eventAttendees } from './attendees';
import { findAlternatives } from './alternatives';
import { cancelEvent, createEvent, eventDeps, updateEvent } from './manage';
import { DEFAULT_NEARBY_LIMIT, DEFAULT_RADIUS_KM, nearbyEvents, nearbyOrigin } from './nearby';
import { eventJson, findEvent } from './read-model';
import {
  alternativesSchema,
  createEventBody,
  eventSchema,
  listEventsQuery,
  nearbyQuery,
  nearbySchema,
  updateEventBody,
} from './schemas';
import { listEvents } from './search';

const attendeesSchema = z.object({
  bookings: z.array(bookingSchema.extend({ user: z.object({ id: z.number().int(), name: z.string(), email: z.string() }) })),
  next_cursor: z.string().nullable(),
});

/** Admins manage every event; a facilitator its own; members are 403, callers without a token 401. */
const managers = requireRole('admin', 'facilitator');

const updateDoc = describeRoute({
  summary: 'Update an event (partial: only the fields given change)',
  description: 'A new location is geocoded again; a capacity below the seats taken is refused.',
  tags: ['Events'],
  responses: { 200: { description: 'Updated', schema: z.object({ msg: z.literal('Event updated'), event: eventSchema }) } },
  errors: [
    'forbidden',
    'not_found',
    'capacity_below_bookings',
    'occurrence_conflict',
    'location_not_found',
    'facilitator_not_found',
  ],
});

/** Anyone reads the catalogue; `/events/nearby` is registered before `/events/:id` so it is not taken for an id. */
export const eventRoutes = createRouter()
  .get(
    '/events',
    describeRoute({
      summary: 'List events (filters, cursor pagination; cancelled ones only with status=cancelled)',
      tags: ['Events'],
      public: true,
      cache: {},
      responses: {
        200: {
          description: 'One page, ordered by starts_at then id',
          schema: z.object({ events: z.array(eventSchema), next_cursor: z.string().nullable() }),
        },
      },
    }),
    validate('query', listEventsQuery),
    async (c) => {
      const page = await listEvents(c.get('db'), c.req.valid('query'));
      return c.json({ events: page.events.map(eventJson), next_cursor: page.nextCursor });
    },
  )
  .get(
    '/events/nearby',
    describeRoute({
      summary: 'Upcoming scheduled events near a point, nearest first',
      description: `radius in km (default ${DEFAULT_RADIUS_KM}, at most 1000); without lat/lng, Cloudflare's request geolocation is used.`,
      tags: ['Events'],
      public: true,
      // Without lat/lng the origin is the caller's own geolocation: that answer is theirs alone.
      cache: { sharedWhen: (c) => c.req.query('lat') !== undefined && c.req.query('lng') !== undefined },
      responses: { 200: { description: 'Events within the radius', schema: nearbySchema } },
    }),
    validate('query', nearbyQuery),
    async (c) => {
      const query = c.req.valid('query');
      const origin = nearbyOrigin(query, c.req.raw.cf as IncomingRequestCfProperties | undefined);
      const found = await nearbyEvents(
        c.get('db'),
        origin,
        query.radius ?? DEFAULT_RADIUS_KM,
        query.limit ?? DEFAULT_NEARBY_LIMIT,
      );
      return c.json({
        // distance_km added to the event object itself (a spread copy per event showed in the CPU profile).
        nearby_events: found.map(({ event, distanceKm }) =>
          Object.assign(eventJson(event), { distance_km: Math.round(distanceKm * 100) / 100 }),
        ),
        origin,
      });
    },
  )
  .get(
    '/events/:id',
    describeRoute({
      summary: 'One event (also a cancelled one)',
      tags: ['Events'],
      public: true,
      cache: {},
      responses: { 200: { description: 'The event', schema: z.object({ event: eventSchema }) } },
      errors: ['not_found'],
    }),
    validate('param', idParam),
    async (c) => {
      const event = await findEvent(c.get('db'), c.req.valid('param').id);
      if (!event) throw new ApiError('not_found', 'Event not found');
      return c.json({ event: eventJson(event) });
    },
  )
  .get(
    '/events/:id/alternatives',
    describeRoute({
      summary: 'Up to 3 similar events with free seats (what a full event’s event_full answer carries)',
      description:
        'Same type (any case), upcoming and scheduled, starting within 7 days of this one: within 50 km nearest first ' +
        '(distance_km), or for an online event online ones nearest in time first (distance_km null).',
      tags: ['Events'],
      public: true,
      responses: { 200: { description: 'The alternatives (possibly none)', schema: alternativesSchema } },
      errors: ['not_found'],
    }),
    validate('param', idParam),
    async (c) => {
      const event = await findEvent(c.get('db'), c.req.valid('param').id);
      if (!event) throw new ApiError('not_found', 'Event not found');
      return c.json({ alternatives: await findAlternatives(c.get('db'), event) });
    },
  )
  .get(
    '/events/:id/bookings',
    describeRoute({
      summary: 'The bookings of an event, with who booked (admin; the event’s facilitator)',
      tags: ['Events'],
      description: 'By booking id, 100 a page by default (limit 1 to 100); next_cursor gets the next page, null on the last.',
      responses: {
        200: { description: 'One page of the bookings, cancelled ones included', schema: attendeesSchema },
      },
      errors: ['forbidden', 'not_found'],
    }),
    managers,
    validate('param', idParam),
    validate('query', pageQuery),
    async (c) => {
      const event = await findEvent(c.get('db'), c.req.valid('param').id);
      if (!event) throw new ApiError('not_found', 'Event not found');
      await assertCanManageEvent(c.get('db'), currentUser(c), event);
      const { limit = MAX_PAGE_SIZE, cursor } = c.req.valid('query');
      const afterId = cursor === undefined ? undefined : decodeCursor(cursor, 1)[0];
      const rows = await eventAttendees(c.get('db'), event.id, { limit, afterId });
      const { page, nextCursor } = pageOf(rows, limit, (row) => [row.id]);
      return c.json({ bookings: page, next_cursor: nextCursor });
    },
  )
  .post(
    '/events',
    describeRoute({
      summary: 'Create an event (admin; a facilitator for itself)',
      description: 'The location is geocoded unless latitude and longitude are given; "Online" has no coordinates.',
      tags: ['Events'],
      responses: { 201: { description: 'Created', schema: z.object({ msg: z.literal('Event created'), event: eventSchema }) } },
      errors: ['forbidden', 'location_not_found', 'facilitator_not_found'],
    }),
    managers,
    validate('json', createEventBody),
    async (c) => {
      const event = await createEvent(c.get('db'), eventDeps(c.env), currentUser(c), c.req.valid('json'));
      return c.json({ msg: 'Event created' as const, event: eventJson(event) }, 201);
    },
  )
  .on(
    ['PUT', 'PATCH'],
    '/events/:id',
    updateDoc,
    managers,
    validate('param', idParam),
    validate('json', updateEventBody),
    async (c) => {
      const event = await updateEvent(
        c.get('db'),
        eventDeps(c.env),
        currentUser(c),
        c.req.valid('param').id,
        c.req.valid('json'),
      );
      return c.json({ msg: 'Event updated' as const, event: eventJson(event) });
    },
  )
  .delete(
    '/events/:id',
    describeRoute({
      summary: 'Cancel an event (soft delete; the row stays as cancelled)',
      tags: ['Events'],
      responses: {
        200: {
          description: 'Cancelled (also when it already was)',
          schema: z.object({ msg: z.literal('Event cancelled'), event: eventSchema }),
        },
      },
      errors: ['forbidden', 'not_found'],
    }),
    managers,
    validate('param', idParam),
    async (c) => {
      const event = await cancelEvent(c.get('db'), eventDeps(c.env), currentUser(c), c.req.valid('param').id);
      return c.json({ msg: 'Event cancelled' as const, event: eventJson(event) });
    },
  );
