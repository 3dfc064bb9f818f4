import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { notFound, validationFailed } from '../../http/errors';
import { currentUser, requireRole } from '../../http/auth';
import { validate } from '../../http/validate';
import { describeRoute } from '../../http/route-marks';
import { bookingSchema } from '../bookings/schemas';
import { eventSchema } from './event-schema';
import { listEventsQuery, nearbyQuery } from './schemas';
import { idParam } from '../../http/params';
import { assertCanManageEvent } from './access';
import { eventAttendees } from './attendees';
import { eventJson, findEvent } from './read-model';
import { listEvents } from './search';
import { DEFAULT_NEARBY_LIMIT, DEFAULT_RADIUS_KM, nearbyEvents } from './nearby';

const nearbySchema = z.object({
  nearby_events: z.array(eventSchema.extend({ distance_km: z.number().describe('Great-circle distance, 2 decimals') })),
  origin: z.object({ lat: z.number(), lng: z.number(), source: z.enum(['query', 'cf']) }),
});

const attendeesSchema = z.object({
  bookings: z.array(bookingSchema.extend({ user: z.object({ id: z.number().int(), name: z.string(), email: z.string() }) })),
});

/** The caller's position: lat/lng from the query, else Cloudflare's request geolocation; neither is a 400. */
function nearbyOrigin(query: { lat?: number; lng?: number }, cf: IncomingRequestCfProperties | undefined) {
  if (query.lat !== undefined && query.lng !== undefined) return { lat: query.lat, lng: query.lng, source: 'query' as const };
  if (query.lat !== undefined || query.lng !== undefined) {
    throw validationFailed([{ path: query.lat === undefined ? 'lat' : 'lng', message: 'Give lat and lng together' }]);
  }
  const lat = Number(cf?.latitude);
  const lng = Number(cf?.longitude);
  if (cf?.latitude === undefined || cf?.longitude === undefined || !Number.isFinite(lat) || !Number.isFinite(lng)) {
    throw validationFailed([{ path: 'lat', message: 'Give lat and lng: your position is not known from the request' }]);
  }
  return { lat, lng, source: 'cf' as const };
}

/** Routes anyone may read (and the attendee list, for managers); `/events/nearby` is registered before `/events/:id` so it is not taken for an id. */
export const eventReadRoutes = new Hono<AppEnv>()
  .get(
    '/events',
    describeRoute({
      summary: 'List events (filters, cursor pagination; cancelled ones only with status=cancelled)',
      tags: ['Events'],
      responses: {
        200: {
          description: 'One page, ordered by starts_at then id',
          schema: z.object({ events: z.array(eventSchema), next_cursor: z.string().nullable() }),
        },
      },
    }),
    validate('query', listEventsQuery),
    async (c) => {
      const page = await listEvents(c.var.db, c.req.valid('query'));
      return c.json({ events: page.events.map(eventJson), next_cursor: page.nextCursor });
    },
  )
  .get(
    '/events/nearby',
    describeRoute({
      summary: 'Upcoming scheduled events near a point, nearest first',
      description: `radius in km (default ${DEFAULT_RADIUS_KM}, at most 1000); without lat/lng, Cloudflare's request geolocation is used.`,
      tags: ['Events'],
      responses: { 200: { description: 'Events within the radius', schema: nearbySchema } },
    }),
    validate('query', nearbyQuery),
    async (c) => {
      const query = c.req.valid('query');
      const origin = nearbyOrigin(query, c.req.raw.cf as IncomingRequestCfProperties | undefined);
      const found = await nearbyEvents(c.var.db, origin, query.radius ?? DEFAULT_RADIUS_KM, query.limit ?? DEFAULT_NEARBY_LIMIT);
      return c.json({
        nearby_events: found.map(({ event, distanceKm }) => ({
          ...eventJson(event),
          distance_km: Math.round(distanceKm * 100) / 100,
        })),
        origin,
      });
    },
  )
  .get(
    '/events/:id',
    describeRoute({
      summary: 'One event (also a cancelled one)',
      tags: ['Events'],
      responses: {
        200: { description: 'The event', schema: z.object({ event: eventSchema }) },
        404: { description: 'not_found' },
      },
    }),
    validate('param', idParam),
    async (c) => {
      const event = await findEvent(c.var.db, c.req.valid('param').id);
      if (!event) throw notFound('Event not found');
      return c.json({ event: eventJson(event) });
    },
  )
  .get(
    '/events/:id/bookings',
    describeRoute({
      summary: 'The bookings of an event, with who booked (admin; the event’s facilitator)',
      tags: ['Events'],
      responses: {
        200: { description: 'Every booking, cancelled ones included', schema: attendeesSchema },
        404: { description: 'not_found' },
      },
    }),
    requireRole('admin', 'facilitator'),
    validate('param', idParam),
    async (c) => {
      const event = await findEvent(c.var.db, c.req.valid('param').id);
      if (!event) throw notFound('Event not found');
      await assertCanManageEvent(c.var.db, currentUser(c), event);
      return c.json({ bookings: await eventAttendees(c.var.db, event.id) });
    },
  );
