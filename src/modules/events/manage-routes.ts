import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { currentUser, requireRole } from '../../http/auth';
import { validate } from '../../http/validate';
import { describeRoute } from '../../http/route-marks';
import { eventSchema } from './event-schema';
import { createEventBody, updateEventBody } from './schemas';
import { idParam } from '../../http/params';
import { eventJson } from './read-model';
import { cancelEvent, createEvent, eventDeps, updateEvent } from './manage';

const managers = requireRole('admin', 'facilitator');

const updateDoc = describeRoute({
  summary: 'Update an event (partial: only the fields given change)',
  description: 'A new location is geocoded again; a capacity below the seats taken is refused.',
  tags: ['Events'],
  responses: {
    200: { description: 'Updated', schema: z.object({ msg: z.literal('Event updated'), event: eventSchema }) },
    404: { description: 'not_found' },
    409: { description: 'capacity_below_bookings' },
    422: { description: 'location_not_found, or facilitator_not_found' },
  },
});

/** Admins manage every event; a facilitator its own; members are 403, callers without a token 401. */
export const eventWriteRoutes = new Hono<AppEnv>()
  .post(
    '/events',
    describeRoute({
      summary: 'Create an event (admin; a facilitator for itself)',
      description: 'The location is geocoded unless latitude and longitude are given; "Online" has no coordinates.',
      tags: ['Events'],
      responses: {
        201: { description: 'Created', schema: z.object({ msg: z.literal('Event created'), event: eventSchema }) },
        422: { description: 'location_not_found (nothing saved), or facilitator_not_found' },
      },
    }),
    managers,
    validate('json', createEventBody),
    async (c) => {
      const event = await createEvent(c.var.db, eventDeps(c.env), currentUser(c), c.req.valid('json'));
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
      const event = await updateEvent(c.var.db, eventDeps(c.env), currentUser(c), c.req.valid('param').id, c.req.valid('json'));
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
        404: { description: 'not_found' },
      },
    }),
    managers,
    validate('param', idParam),
    async (c) => {
      const event = await cancelEvent(c.var.db, eventDeps(c.env), currentUser(c), c.req.valid('param').id);
      return c.json({ msg: 'Event cancelled' as const, event: eventJson(event) });
    },
  );
