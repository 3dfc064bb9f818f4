import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { bookAs, createEventAs } from '../support/api';
import { createFacilitatorAccount, createUser } from '../support/fixtures';
import { call, expectError } from '../support/http';

/** Parses with ical.js (a real RFC 5545 parser) and returns the VEVENTs by UID. */
function vevents(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return new Map(
    calendar.getAllSubcomponents('vevent').map((vevent) => {
      const event = new ICAL.Event(vevent);
      return [
        event.uid,
        {
          summary: event.summary,
          sequence: event.sequence,
          status: String(vevent.getFirstPropertyValue('status')),
          start: event.startDate.toJSDate().toISOString(),
          geo: vevent.getFirstPropertyValue('geo'),
          location: event.location,
          description: event.description,
        },
      ] as const;
    }),
  );
}

/** iCalendar times have whole seconds. */
const toSecond = (iso: string) => new Date(Math.floor(new Date(iso).getTime() / 1000) * 1000).toISOString();

async function subscribe(token: string) {
  const res = await call('POST', '/me/calendar-feed', { token });
  expect(res.status, res.text).toBe(201);
  const url = new URL(res.json.url as string);
  expect(url.pathname).toMatch(/^\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
  return url.pathname;
}

describe('GET /events/:id/calendar.ics', () => {
  it('is a VCALENDAR with one VEVENT: stable UID, UTC times, GEO, escaped text, CRLF, folded at 75 octets', async () => {
    const facilitator = await createFacilitatorAccount('Meera, the teacher');
    const event = await createEventAs(facilitator.token, {
      title: 'Breathwork; deep, slow \\ calm — प्राणायाम सत्र '.repeat(3),
      description: 'Line one\nLine two, with commas; and semicolons',
      location: 'Rishikesh',
      latitude: 30.0869,
      longitude: 78.2676,
    });
    const res = await call('GET', `/events/${event.id}/calendar.ics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/calendar; charset=utf-8');
    expect(res.headers.get('ETag')).toBeTruthy();
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=30');
    expect(res.text.endsWith('\r\n')).toBe(true);
    expect(res.text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const encoder = new TextEncoder();
    for (const line of res.text.split('\r\n')) expect(encoder.encode(line).length).toBeLessThanOrEqual(75);
    expect(res.text).toContain('\\;');
    expect(res.text).toContain('\\,');
    expect(res.text).toMatch(/DTSTART:\d{8}T\d{6}Z/);

    const parsed = vevents(res.text).get(`event-${event.id}@ahoum`)!;
    expect(parsed.summary).toBe(event.title);
    expect(parsed.description).toContain('Line one\nLine two, with commas; and semicolons');
    expect(parsed.start).toBe(toSecond(event.starts_at));
    expect(parsed.geo).toEqual([30.0869, 78.2676]);
    expect(parsed.location).toBe('Rishikesh');
    expect(parsed.status).toBe('CONFIRMED');
    expect(parsed.sequence).toBe(0);

    const again = await call('GET', `/events/${event.id}/calendar.ics`, {
      headers: { 'If-None-Match': res.headers.get('ETag')! },
    });
    expect(again.status).toBe(304);
  });

  it('grows SEQUENCE on a reschedule and says CANCELLED once the event is cancelled', async () => {
    const facilitator = await createFacilitatorAccount();
    const event = await createEventAs(facilitator.token);
    const moved = await call('PATCH', `/events/${event.id}`, {
      token: facilitator.token,
      body: { starts_at: new Date(Date.now() + 5 * 86_400_000).toISOString() },
    });
    expect(moved.status).toBe(200);
    const renamed = await call('PATCH', `/events/${event.id}`, { token: facilitator.token, body: { title: 'Renamed' } });
    expect(renamed.status).toBe(200);
    let parsed = vevents((await call('GET', `/events/${event.id}/calendar.ics`)).text).get(`event-${event.id}@ahoum`)!;
    expect(parsed.sequence).toBe(1);
    expect(parsed.summary).toBe('Renamed');
    expect(parsed.start).toBe(toSecond(moved.json.event.starts_at));

    expect((await call('DELETE', `/events/${event.id}`, { token: facilitator.token })).status).toBe(200);
    parsed = vevents((await call('GET', `/events/${event.id}/calendar.ics`)).text).get(`event-${event.id}@ahoum`)!;
    expect(parsed.status).toBe('CANCELLED');
    expect(parsed.sequence).toBe(2);
  });

  it('answers 404 for an unknown event and 400 for a bad id, as JSON errors', async () => {
    expectError(await call('GET', '/events/99999999/calendar.ics'), 404, 'not_found');
    expectError(await call('GET', '/events/abc/calendar.ics'), 400, 'validation_failed');
  });
});

describe('personal calendar feed', () => {
  it('lists the member’s bookings and survives a reschedule (same UID, higher SEQUENCE) and a cancel (CANCELLED)', async () => {
    const facilitator = await createFacilitatorAccount();
    const member = await createUser();
    const kept = await createEventAs(facilitator.token, { title: 'Kept class' });
    const moved = await createEventAs(facilitator.token, { title: 'Moved class' });
    const full = await createEventAs(facilitator.token, { title: 'Full class', capacity: 1 });
    const other = await createUser();
    const keptBooking = await bookAs(member.token, kept.id);
    const movedBooking = await bookAs(member.token, moved.id);
    await bookAs(other.token, full.id);
    const waitlisted = await bookAs(member.token, full.id, true);
    expect(waitlisted.status).toBe('waitlisted');

    const path = await subscribe(member.token);
    const first = await call('GET', path); // no bearer token: calendar apps cannot send one
    expect(first.status).toBe(200);
    expect(first.headers.get('Content-Type')).toBe('text/calendar; charset=utf-8');
    expect(first.headers.get('Cache-Control')).toBe('private, no-cache');
    const before = vevents(first.text);
    expect(before.get(`booking-${keptBooking.id}@ahoum`)).toMatchObject({ status: 'CONFIRMED', summary: 'Kept class' });
    expect(before.get(`booking-${waitlisted.id}@ahoum`)).toMatchObject({ status: 'TENTATIVE', summary: 'Full class (waitlist)' });
    const movedBefore = before.get(`booking-${movedBooking.id}@ahoum`)!;
    expect(movedBefore.status).toBe('CONFIRMED');

    const unchanged = await call('GET', path, { headers: { 'If-None-Match': first.headers.get('ETag')! } });
    expect(unchanged.status).toBe(304);

    const newStart = new Date(Date.now() + 6 * 86_400_000).toISOString();
    expect((await call('PATCH', `/events/${moved.id}`, { token: facilitator.token, body: { starts_at: newStart } })).status).toBe(
      200,
    );
    expect((await call('DELETE', `/cancel-booking/${keptBooking.id}`, { token: member.token })).status).toBe(200);

    const after = vevents((await call('GET', path, { headers: { 'If-None-Match': first.headers.get('ETag')! } })).text);
    const movedAfter = after.get(`booking-${movedBooking.id}@ahoum`)!;
    expect(movedAfter.sequence).toBeGreaterThan(movedBefore.sequence);
    expect(movedAfter.start).toBe(toSecond(newStart));
    const keptAfter = after.get(`booking-${keptBooking.id}@ahoum`)!;
    expect(keptAfter.status).toBe('CANCELLED');
    expect(keptAfter.sequence).toBeGreaterThan(before.get(`booking-${keptBooking.id}@ahoum`)!.sequence);

    expect((await call('DELETE', `/events/${moved.id}`, { token: facilitator.token })).status).toBe(200);
    const cancelled = vevents((await call('GET', path)).text).get(`booking-${movedBooking.id}@ahoum`)!;
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.sequence).toBeGreaterThan(movedAfter.sequence);
  });

  it('gives a facilitator its own events with the number booked', async () => {
    const facilitator = await createFacilitatorAccount();
    const event = await createEventAs(facilitator.token, { title: 'Own class', capacity: 10 });
    await bookAs((await createUser()).token, event.id);
    const path = await subscribe(facilitator.token);
    const own = vevents((await call('GET', path)).text).get(`event-${event.id}@ahoum`)!;
    expect(own.summary).toBe('Own class (1 of 10 booked)');
    expect(own.status).toBe('CONFIRMED');
  });

  it('replaces the token on a second call: the old URL answers 404', async () => {
    const member = await createUser();
    const oldPath = await subscribe(member.token);
    const newPath = await subscribe(member.token);
    expect(newPath).not.toBe(oldPath);
    expectError(await call('GET', oldPath), 404, 'not_found');
    expect((await call('GET', newPath)).status).toBe(200);
  });

  it('needs a member to create a feed, and refuses malformed feed paths', async () => {
    expectError(await call('POST', '/me/calendar-feed'), 401, 'unauthorized');
    expectError(await call('GET', '/calendar/not-a-token'), 400, 'validation_failed');
    expectError(await call('GET', `/calendar/${'a'.repeat(43)}.ics`), 404, 'not_found');
  });
});
