import { describe, expect, it } from 'vitest';
import { createBooking, createEvent, createFacilitator, createUsers } from '../support/fixtures';
import { call } from '../support/http';

const DAY = 86_400_000;

/** A full event at a place (one seat, taken), of a unique type so other test files' events never match. */
async function fullEventAt(type: string, spec: { latitude?: number; longitude?: number; online?: boolean } = {}) {
  const facilitator = await createFacilitator();
  const event = await createEvent({
    type,
    capacity: 1,
    startsAt: Date.now() + 3 * DAY,
    facilitatorId: facilitator.id,
    ...(spec.online ? {} : { latitude: spec.latitude ?? 12.97, longitude: spec.longitude ?? 77.59, location: 'Bengaluru' }),
  });
  const [holder] = await createUsers(1);
  await createBooking(holder!.id, event.id);
  return event;
}

const idsOf = (res: { json: any }) => res.json.alternatives.map((e: { id: number }) => e.id);

describe('alternatives to a full event', () => {
  it('same type, free seats, within 7 days and 50 km, nearest first; at most three', async () => {
    const type = `Alt-${crypto.randomUUID().slice(0, 6)}`;
    const full = await fullEventAt(type);
    const start = Date.now() + 4 * DAY;
    const near = await createEvent({ type, latitude: 12.98, longitude: 77.6, startsAt: start, location: 'Near' }); // ~1.5 km
    const mid = await createEvent({
      type: type.toUpperCase(),
      latitude: 13.1,
      longitude: 77.6,
      startsAt: start,
      location: 'Mid',
    }); // ~15 km
    const far = await createEvent({ type, latitude: 13.2, longitude: 77.7, startsAt: start, location: 'Far' }); // ~28 km
    const farther = await createEvent({ type, latitude: 13.25, longitude: 77.7, startsAt: start, location: 'Farther' });
    await createEvent({ type, latitude: 14, longitude: 77.59, startsAt: start, location: 'Too far' }); // > 50 km
    await createEvent({ type: `${type}-other`, latitude: 12.97, longitude: 77.59, startsAt: start, location: 'Other type' });
    await createEvent({
      type,
      latitude: 12.97,
      longitude: 77.59,
      startsAt: full.startsAt.getTime() + 8 * DAY,
      location: 'Later',
    });
    const fullToo = await createEvent({
      type,
      latitude: 12.97,
      longitude: 77.59,
      startsAt: start,
      capacity: 1,
      location: 'Full',
    });
    const [someone] = await createUsers(1);
    await createBooking(someone!.id, fullToo.id);

    const res = await call('GET', `/events/${full.id}/alternatives`);
    expect(res.status).toBe(200);
    expect(idsOf(res)).toEqual([near.id, mid.id, far.id]);
    expect(res.json.alternatives[0].distance_km).toBeGreaterThan(0);
    expect(res.json.alternatives[0].distance_km).toBeLessThan(res.json.alternatives[1].distance_km);
    expect(idsOf(res)).not.toContain(farther.id);

    // POST /book on the full event answers 409 event_full with the same list.
    const [member] = await createUsers(1);
    const refused = await call('POST', '/book', { token: member!.token, body: { event_id: full.id } });
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe('event_full');
    expect(idsOf(refused)).toEqual([near.id, mid.id, far.id]);
  });

  it('an online event gets online ones (nearest in time first), never ones with a place', async () => {
    const type = `Online-${crypto.randomUUID().slice(0, 6)}`;
    const full = await fullEventAt(type, { online: true });
    const later = await createEvent({ type, startsAt: full.startsAt.getTime() + 2 * DAY });
    const sooner = await createEvent({ type, startsAt: full.startsAt.getTime() - DAY });
    await createEvent({ type, latitude: 12.97, longitude: 77.59, startsAt: full.startsAt.getTime(), location: 'A studio' });
    const res = await call('GET', `/events/${full.id}/alternatives`);
    expect(idsOf(res)).toEqual([sooner.id, later.id]);
    expect(res.json.alternatives.map((e: { distance_km: unknown }) => e.distance_km)).toEqual([null, null]);
  });

  it('none when nothing fits: an empty list; an unknown event is 404', async () => {
    const full = await fullEventAt(`Lonely-${crypto.randomUUID().slice(0, 6)}`);
    expect((await call('GET', `/events/${full.id}/alternatives`)).json).toEqual({ alternatives: [] });
    expect((await call('GET', '/events/999999999/alternatives')).status).toBe(404);
  });
});
