import { z } from 'zod';
import { EVENT_STATUSES, LOCATION_STATUSES } from '../../db/schema';

/** The contract's `event` object, as every route (events, bookings, payments) shows it. */
export const eventSchema = z
  .object({
    id: z.number().int(),
    title: z.string(),
    description: z.string(),
    type: z.string(),
    status: z.enum(EVENT_STATUSES),
    starts_at: z.string().describe('ISO 8601, UTC'),
    ends_at: z.string().describe('ISO 8601, UTC'),
    date: z.string().describe('Equals starts_at (the predecessor’s name)'),
    timezone: z.string().describe('IANA time zone of the venue, for display'),
    location: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    location_status: z.enum(LOCATION_STATUSES),
    capacity: z.number().int().nullable().describe('null means unlimited'),
    booked_count: z.number().int(),
    seats_left: z.number().int().nullable().describe('null when capacity is unlimited'),
    price: z.number().int().describe('Minor units (paise, cents); 0 means free'),
    currency: z.string().describe('ISO 4217'),
    facilitator: z.string().describe('The facilitator’s name'),
    facilitator_id: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Event' });

export type EventJson = z.infer<typeof eventSchema>;
