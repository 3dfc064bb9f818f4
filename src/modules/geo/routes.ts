import { createRouter } from '../../http/factory';
import { describeRoute } from '../../http/route-marks';
import { validate } from '../../http/validate';
import { geocoderSettings } from './geocoding';
import { lookUpPlace } from './lookup';
import { geocodeBody, placeSchema } from './schemas';

export const geoRoutes = createRouter().post(
  '/geocode',
  describeRoute({
    summary: 'Coordinates of a place (any signed-in user): the geocoder events use, with its cache',
    description: 'Without GOOGLE_MAPS_API_KEY, or while Google is down, the offline gazetteer answers for the places it knows.',
    tags: ['Geocoding'],
    responses: { 200: { description: 'Found', schema: placeSchema } },
    errors: ['location_not_found', 'geocoding_unavailable'],
  }),
  validate('json', geocodeBody),
  async (c) => c.json(await lookUpPlace(c.get('db'), geocoderSettings(c.env), c.req.valid('json').location)),
);
