import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { eventsPageQuery, type EventFilters } from '../../src/modules/events/search';
import { createEventAs, loginAs, registerFacilitator } from '../support/api';
import { call } from '../support/http';

/** SQLite's plan for the exact statement GET /events runs with these filters, one line per step. */
async function plan(filters: EventFilters): Promise<string[]> {
  const query = eventsPageQuery(filters);
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
    .bind(...query.params)
    .all<{ detail: string }>();
  return results.map((row) => row.detail);
}

const week = { from: new Date('2032-03-01T00:00:00Z'), to: new Date('2032-03-08T00:00:00Z') };

/**
 * Each filter the bench measures, alone and combined, must reach its rows through an index: a plan that walks the
 * whole of `events` (SCAN events, with or without an index) reads every event to find ten, as the predecessor did.
 */
describe('GET /events query plans', () => {
  it.each<[string, EventFilters, RegExp]>([
    ['type', { type: 'Sound Healing' }, /USING INDEX events_type_key_idx/],
    ['status', { status: 'completed' }, /USING INDEX events_status_starts_idx/],
    [
      'facilitator and a week',
      { facilitator_id: 7, ...week },
      /USING INDEX events_facilitator_idx \(facilitator_id=\? AND starts_at>/,
    ],
    ['a week', week, /USING INDEX events_starts_at_idx \(starts_at>\? AND starts_at<\?\)/],
    ['series', { series_id: 3 }, /USING INDEX events_series_starts_unique/],
    ['q, one word', { q: 'kirtan' }, /USING INTEGER PRIMARY KEY/],
    ['q, two words and a type', { q: 'evening breath', type: 'yoga' }, /USING INDEX events_type_key_idx/],
    ['type and status', { type: 'yoga', status: 'scheduled' }, /USING INDEX events_type_status_idx/],
    [
      'type, facilitator and a cursor',
      { type: 'yoga', facilitator_id: 7, cursor: 'WzE5NjcxMTIwMDAwMDAsMTBd' },
      /USING INDEX events_(type_key|facilitator)_idx/,
    ],
  ])('%s: reached through an index, no full scan of events', async (_label, filters, index) => {
    const steps = await plan(filters);
    const shown = steps.join(' | ');
    expect(
      steps.filter((step) => /^SCAN (events|e)\b/.test(step)),
      shown,
    ).toEqual([]);
    expect(
      steps.some((step) => /^SEARCH (events|e)\b/.test(step) && index.test(step)),
      shown,
    ).toBe(true);
    if (filters.q) expect(shown).toMatch(/SCAN events_fts VIRTUAL TABLE INDEX/);
  });
});

describe('the full-text index behind q', () => {
  it('follows every write: a new event, a changed title, a changed description', async () => {
    const admin = (await loginAs('admin')).token;
    const { facilitatorId } = await registerFacilitator(admin);
    const word = `zq${Date.now().toString(36)}`;
    const found = async (q: string) => (await call('GET', `/events?q=${q}`)).json.events.map((e: any) => e.id);
    const event = await createEventAs(admin, { facilitator_id: facilitatorId, title: `Kirtan ${word}one` });
    expect(await found(`${word}one`)).toEqual([event.id]);
    await call('PATCH', `/events/${event.id}`, { token: admin, body: { title: 'Kirtan', description: `with ${word}two` } });
    expect(await found(`${word}one`)).toEqual([]);
    expect(await found(`${word}two`)).toEqual([event.id]);
    expect(await found(`${word.toUpperCase()}TW`)).toEqual([event.id]); // any case, and a word's beginning
  });
});
