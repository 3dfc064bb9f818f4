import { z } from 'zod';
import { parseInstant } from '../lib/instant';

/** A positive integer id in a path: digits only, so "1e3", " 7" and "0x10" are refused rather than coerced. */
export const positiveIdText = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, 'Must be a positive integer id')
  .transform(Number);

export const idParam = z.object({ id: positiveIdText });

/** A positive integer id in a JSON body: a number (a string or a list is a validation error), at most 2^53 - 1. */
export const positiveId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** A zod string that becomes a Date, or a `validation_failed` issue. */
export const isoInstant = z
  .string()
  .max(40)
  .transform((text, ctx) => {
    const date = parseInstant(text);
    if (date) return date;
    ctx.issues.push({
      code: 'custom',
      message: 'Must be an ISO 8601 date and time, e.g. 2026-12-01T09:30:00+05:30',
      input: text,
    });
    return z.NEVER;
  })
  .meta({ type: 'string', format: 'date-time' });
