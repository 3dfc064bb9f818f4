import { beforeAll, describe, expect, it } from 'vitest';
import { createEventAs, eventBody, loginAs, registerFacilitator } from '../support/api';
import { setUserRole } from '../support/fixtures';
import { call, expectError } from '../support/http';

let admin: { token: string };
let mine: Awaited<ReturnType<typeof registerFacilitator>>;
let other: Awaited<ReturnType<typeof registerFacilitator>>;
let member: { token: string };

beforeAll(async () => {
  admin = await loginAs('admin');
  mine = await registerFacilitator(admin.token, 'Asha Facilitator');
  other = await registerFacilitator(admin.token, 'Other Facilitator');
  member = await loginAs('member');
});

describe('who may write events', () => {
  it('a member creating, editing or deleting an event is 403', async () => {
    const event = await createEventAs(admin.token, { facilitator_id: mine.facilitatorId });
    expectError(await call('POST', '/events', { token: member.token, body: eventBody() }), 403, 'forbidden');
    expectError(
      await call('PATCH', `/events/${event.id}`, { token: member.token, body: { title: 'Mine now' } }),
      403,
      'forbidden',
    );
    expectError(await call('PUT', `/events/${event.id}`, { token: member.token, body: { title: 'Mine now' } }), 403, 'forbidden');
    expectError(await call('DELETE', `/events/${event.id}`, { token: member.token }), 403, 'forbidden');
    const after = await call('GET', `/events/${event.id}`);
    expect(after.json.event).toMatchObject({ title: 'Morning Meditation', status: 'scheduled' });
  });

  it('no token on a write is 401 with WWW-Authenticate', async () => {
    const event = await createEventAs(admin.token, { facilitator_id: mine.facilitatorId });
    for (const [method, path] of [
      ['POST', '/events'],
      ['PATCH', `/events/${event.id}`],
      ['PUT', `/events/${event.id}`],
      ['DELETE', `/events/${event.id}`],
      ['GET', `/events/${event.id}/bookings`],
      ['POST', '/facilitators'],
      ['PATCH', `/facilitators/${mine.facilitatorId}`],
    ] as const) {
      const res = await call(method, path, method === 'DELETE' || method === 'GET' ? {} : { body: { title: 'x', name: 'x' } });
      expectError(res, 401, 'unauthorized');
      expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
    }
  });

  it('a facilitator creates events for itself, not for another (403)', async () => {
    const own = await createEventAs(mine.token);
    expect(own.facilitator_id).toBe(mine.facilitatorId);
    expect(own.facilitator).toBe('Asha Facilitator');
    const forOther = await call('POST', '/events', {
      token: mine.token,
      body: eventBody({ facilitator_id: other.facilitatorId }),
    });
    expectError(forOther, 403, 'forbidden');
  });

  it('a facilitator editing or deleting another facilitator’s event is 403', async () => {
    const theirs = await createEventAs(other.token);
    expectError(await call('PATCH', `/events/${theirs.id}`, { token: mine.token, body: { title: 'Taken' } }), 403, 'forbidden');
    expectError(await call('DELETE', `/events/${theirs.id}`, { token: mine.token }), 403, 'forbidden');
    expectError(await call('GET', `/events/${theirs.id}/bookings`, { token: mine.token }), 403, 'forbidden');
    expectError(await call('GET', `/events/${theirs.id}/bookings`, { token: member.token }), 403, 'forbidden');
  });

  it('a facilitator cannot move its own event to another facilitator (403), an admin can', async () => {
    const own = await createEventAs(mine.token);
    const moved = await call('PATCH', `/events/${own.id}`, { token: mine.token, body: { facilitator_id: other.facilitatorId } });
    expectError(moved, 403, 'forbidden');
    const byAdmin = await call('PATCH', `/events/${own.id}`, {
      token: admin.token,
      body: { facilitator_id: other.facilitatorId },
    });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.json.event).toMatchObject({ facilitator_id: other.facilitatorId, facilitator: 'Other Facilitator' });
  });

  it('the event’s facilitator edits and cancels its own event', async () => {
    const own = await createEventAs(mine.token);
    const edited = await call('PATCH', `/events/${own.id}`, { token: mine.token, body: { title: 'Renamed' } });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({ msg: 'Event updated', event: { title: 'Renamed' } });
    const cancelled = await call('DELETE', `/events/${own.id}`, { token: mine.token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.msg).toBe('Event cancelled');
  });

  it('a user with the facilitator role but no facilitator record cannot create events', async () => {
    const orphan = await loginAs('facilitator');
    expectError(await call('POST', '/events', { token: orphan.token, body: eventBody() }), 403, 'forbidden');
  });

  it('an admin must name the facilitator; an unknown one is 422 facilitator_not_found', async () => {
    const missing = expectError(
      await call('POST', '/events', { token: admin.token, body: eventBody() }),
      400,
      'validation_failed',
    );
    expect(missing.issues).toEqual([{ path: 'facilitator_id', message: expect.any(String) }]);
    const unknown = await call('POST', '/events', { token: admin.token, body: eventBody({ facilitator_id: 99_999_999 }) });
    expectError(unknown, 422, 'facilitator_not_found');
  });

  it('a changed role applies at once: a facilitator demoted to member is 403', async () => {
    const demoted = await registerFacilitator(admin.token);
    await setUserRole(demoted.user.id, 'member');
    expectError(await call('POST', '/events', { token: demoted.token, body: eventBody() }), 403, 'forbidden');
  });
});
