import { z } from 'zod';

export const geocodeBody = z.object({
  location: z.string().trim().min(1, 'Location must not be empty').max(200),
});

export const placeSchema = z
  .object({
    latitude: z.number(),
    longitude: z.number(),
    formatted_address: z.string().describe('The geocoder’s name for the place (the gazetteer’s: "City, Country")'),
  })
  .meta({ id: 'Place' });
