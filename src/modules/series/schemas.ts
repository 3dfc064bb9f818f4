import { z } from 'zod';
import { SERIES_STATUSES } from '../../db/schema';
import { eventFields, eventSchema, policyFields } from '../events/schemas';
import { positiveId } from '../../http/params';
import { bookingSchema } from '../bookings/schemas';

const rrule = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .describe(
    'RFC 5545 subset: FREQ=DAILY|WEEKLY, INTERVAL (1-52), BYDAY (WEEKLY), COUNT (1-365) or UNTIL; e.g. FREQ=WEEKLY;BYDAY=MO,WE,FR',
  );

export const createSeriesBody = z
  .object({
    title: eventFields.title,
    description: eventFields.description.optional(),
    type: eventFields.type,
    starts_at: eventFields.starts_at.describe('The first occurrence'),
    ends_at: eventFields.ends_at.optional().describe('The end of the first occurrence'),
    duration_minutes: eventFields.duration_minutes.optional(),
    timezone: eventFields.timezone.describe('IANA; occurrences keep the first one’s wall-clock time here, across DST'),
    location: eventFields.location.optional(),
    latitude: eventFields.latitude.optional(),
    longitude: eventFields.longitude.optional(),
    capacity: eventFields.capacity.optional(),
    price: eventFields.price.optional(),
    currency: eventFields.currency.optional(),
    facilitator_id: eventFields.facilitator_id.optional(),
    cancellation_cutoff_hours: policyFields().cancellation_cutoff_hours.optional(),
    late_cancel_refund_percent: policyFields().late_cancel_refund_percent.optional(),
    rrule,
  })
  .superRefine((body, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if ((body.latitude === undefined) !== (body.longitude === undefined))
      issue('latitude', 'Give latitude and longitude together');
    if (body.ends_at && body.duration_minutes !== undefined)
      issue('duration_minutes', 'Give ends_at or duration_minutes, not both');
  })
  .meta({ id: 'SeriesCreate' });

const NOT_PATCHABLE = ['rrule', 'starts_at', 'date', 'ends_at', 'duration_minutes', 'timezone', 'facilitator_id'] as const;

/**
 * The template fields. The schedule (rrule, times, time zone) and the facilitator are fixed: naming one is 400 (cancel
 * the series and create a new one), so the body is read loosely to see them; other unknown keys are ignored.
 */
export const updateSeriesBody = z
  .looseObject({
    title: eventFields.title,
    description: eventFields.description,
    type: eventFields.type,
    location: eventFields.location,
    latitude: eventFields.latitude,
    longitude: eventFields.longitude,
    capacity: eventFields.capacity,
    price: eventFields.price,
    currency: eventFields.currency,
    ...policyFields(),
  })
  .partial()
  .superRefine((body, ctx) => {
    for (const name of NOT_PATCHABLE) {
      if ((body as Record<string, unknown>)[name] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `${name} cannot be changed: cancel the series and create a new one`,
        });
      }
    }
    if ((body.latitude === undefined) !== (body.longitude === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['latitude'], message: 'Give latitude and longitude together' });
    }
  })
  .meta({ id: 'SeriesUpdate' });

export type NewSeries = z.output<typeof createSeriesBody>;
export type SeriesChanges = z.output<typeof updateSeriesBody>;

export const seriesSchema = z
  .object({
    id: z.number().int(),
    title: z.string(),
    description: z.string(),
    type: z.string(),
    rrule: z.string(),
    timezone: z.string(),
    starts_at: z.string().describe('The first occurrence, ISO 8601 UTC'),
    duration_minutes: z.number().int(),
    location: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    capacity: z.number().int().nullable(),
    price: z.number().int(),
    currency: z.string(),
    facilitator_id: z.number().int(),
    cancellation_cutoff_hours: z.number().int(),
    late_cancel_refund_percent: z.number().int(),
    status: z.enum(SERIES_STATUSES),
    occurrence_count: z.number().int().describe('Occurrences made so far (an open-ended series grows with the cron)'),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Series' });

export type SeriesJson = z.infer<typeof seriesSchema>;

export const seriesWithEvents = z.object({ series: seriesSchema, events: z.array(eventSchema) });
export const seriesBookedAnswer = z.object({ msg: z.literal('Series booked'), bookings: z.array(bookingSchema) });

/** POST /series/:id/book takes no body, or `{pass_id}` to pay a paid series with a member pass's credits. */
export const seriesBookBody = z
  .object({
    pass_id: positiveId.optional().describe('One credit of this member pass per occurrence (an id from GET /me/passes)'),
  })
  .meta({ id: 'SeriesBook' });
