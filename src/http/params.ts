import { z } from 'zod';

/** A positive integer id in a path: digits only, so "1e3", " 7" and "0x10" are refused rather than coerced. */
export const positiveIdText = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, 'Must be a positive integer id')
  .transform(Number);

export const idParam = z.object({ id: positiveIdText });
