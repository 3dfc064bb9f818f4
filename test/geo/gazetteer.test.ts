import { describe, expect, it } from 'vitest';
import { lookupPlace, placeKey } from '../../src/modules/geo/gazetteer';
import { GAZETTEER_ATTRIBUTION } from '../../src/modules/geo/gazetteer-data';

const where = (query: string) => {
  const place = lookupPlace(query);
  return place && { name: place.name, country: place.country };
};

describe('the offline gazetteer', () => {
  it('knows the demo places, Goa and Kerala as Indian states', () => {
    expect(where('Goa')).toEqual({ name: 'Goa', country: 'IN' });
    expect(where('Kerala')).toEqual({ name: 'Kerala', country: 'IN' });
    expect(where('Rishikesh')).toEqual({ name: 'Rishīkesh', country: 'IN' });
    expect(where('Delhi')).toEqual({ name: 'Delhi', country: 'IN' });
    expect(where('Mumbai')).toEqual({ name: 'Mumbai', country: 'IN' });
  });

  it('ignores case, accents and punctuation', () => {
    expect(placeKey('  RISHĪKESH. ')).toBe('rishikesh');
    expect(where('são paulo')).toEqual({ name: 'São Paulo', country: 'BR' });
    expect(where('Cordoba')).toEqual({ name: 'Córdoba', country: 'AR' });
  });

  it('picks the most populous place of a name unless the query names the country', () => {
    expect(where('London')).toEqual({ name: 'London', country: 'GB' });
    expect(where('London, Canada')).toEqual({ name: 'London', country: 'CA' });
    expect(where('London, CA')).toEqual({ name: 'London', country: 'CA' });
    expect(where('Hyderabad')).toEqual({ name: 'Hyderabad', country: 'IN' });
    expect(where('Hyderabad, Pakistan')).toEqual({ name: 'Hyderabad', country: 'PK' });
  });

  it('finds the place inside a longer address, and old names of Indian cities', () => {
    expect(where('Parmarth Niketan, Rishikesh, Uttarakhand')).toEqual({ name: 'Rishīkesh', country: 'IN' });
    expect(where('Bangalore')).toEqual({ name: 'Bangalore', country: 'IN' });
    expect(lookupPlace('Bombay')!.latitude).toBe(lookupPlace('Mumbai')!.latitude);
  });

  it('does not know made-up places or empty text', () => {
    expect(where('Qwxyzzy Village')).toBeNull();
    expect(where('  ,  ')).toBeNull();
  });

  it('credits its source', () => {
    expect(GAZETTEER_ATTRIBUTION).toMatch(/GeoNames.*CC BY 4\.0/);
  });
});
