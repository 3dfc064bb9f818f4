import { z } from 'zod';

/** The one error shape of every 4xx/5xx answer. */
export const errorSchema = z.object({
  msg: z.string().meta({ description: 'A human sentence' }),
  code: z.string().meta({ description: 'Stable snake_case code to branch on, e.g. validation_failed, event_full' }),
  request_id: z.string().meta({ description: 'Also in the X-Request-Id header' }),
  issues: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .optional()
    .meta({ description: 'Only for validation_failed' }),
  alternatives: z
    .array(z.looseObject({ id: z.number(), distance_km: z.number().nullable() }))
    .optional()
    .meta({
      description: 'Only for event_full from POST /book: up to 3 similar events with free seats (an event + distance_km)',
    }),
});
