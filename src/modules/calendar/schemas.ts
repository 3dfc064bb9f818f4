import { z } from 'zod';

/** `<token>.ics`: the token is 43 base64url characters (32 random bytes). */
export const feedFileParam = z.object({
  file: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}\.ics$/, 'Must be the <token>.ics of a URL from POST /me/calendar-feed')
    .transform((file) => file.slice(0, -'.ics'.length))
    .describe('The subscription token followed by .ics, as in the url POST /me/calendar-feed returned'),
});

export const calendarFeedSchema = z
  .object({ url: z.string().describe('The secret subscription URL (webcal clients accept it as is)') })
  .meta({ id: 'CalendarFeed' });
