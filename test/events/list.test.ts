import { beforeAll, describe, expect, it } from 'vitest';
import { eventRoutes } from '../../src/modules/events/routes';
import { loginAs, registerFacilitator } from '../support/api';
import { createEvents } from '../support/fixtures';
import { call, expectError, typedClient } from '../support/http';

let facilitatorId: number;
let run = 0;
/** Each test lists its own events by a type no other test uses, since the database is shared. */
const uniqueType = () => `Kind-${Date.now().toString(36)}-${++run}`;

const T0 = Date.parse('2032-01-01T00:00:00Z');
const HOUR = 3600_000;

async function insert(
  events: Array<{
    type: string;
    title?: string;
    description?: string;
    status?: 'scheduled' | 'completed' | 'cancelled';
    startsAt: number;
  }>,
) {
  const created = await createEvents(
    events.map((e) => ({ title: 'Listed', ...e, location: null, locationStatus: 'none' as const, facilitatorId })),
  );
  return created.map((e) => e.id);
}

const ids = (res: { json: { events: Array<{ id: number }> } }) => res.json.events.map((e) => e.id);

beforeAll(async () => {
  const admin = await loginAs('admin');
  facilitatorId = (await registerFacilitator(admin.token)).facilitatorId;
});

describe('GET /events filters', () => {
  it('type and status match case-insensitively and exactly; without status, cancelled events are left out', async () => {
    const type = uniqueType();
    const [scheduled, cancelled, completed] = await insert([
      { type, startsAt: T0 },
      { type, status: 'cancelled', startsAt: T0 + HOUR },
      { type, status: 'completed', startsAt: T0 + 2 * HOUR },
    ]);
    await insert([{ type: `${type}-longer`, startsAt: T0 }]);
    expect(ids(await call('GET', `/events?type=${type.toUpperCase()}`))).toEqual([scheduled, completed]);
    expect(ids(await call('GET', `/events?type=${type.toLowerCase()}&status=CANCELLED`))).toEqual([cancelled]);
    expect(ids(await call('GET', `/events?type=${type}&status=Completed`))).toEqual([completed]);
    expectError(await call('GET', `/events?status=rescheduled`), 400, 'validation_failed');
  });

  it('facilitator_id narrows to one facilitator’s events', async () => {
    const type = uniqueType();
    const [mine] = await insert([{ type, startsAt: T0 }]);
    expect(ids(await call('GET', `/events?type=${type}&facilitator_id=${facilitatorId}`))).toEqual([mine]);
    expect(ids(await call('GET', `/events?type=${type}&facilitator_id=${facilitatorId + 100000}`))).toEqual([]);
    expectError(await call('GET', '/events?facilitator_id=abc'), 400, 'validation_failed');
  });

  it('from is inclusive and to exclusive, on starts_at; offsets are honoured', async () => {
    const type = uniqueType();
    const [a, b, c] = await insert([
      { type, startsAt: T0 },
      { type, startsAt: T0 + 24 * HOUR },
      { type, startsAt: T0 + 48 * HOUR },
    ]);
    expect(ids(await call('GET', `/events?type=${type}&from=2032-01-02T00:00:00Z`))).toEqual([b, c]);
    expect(ids(await call('GET', `/events?type=${type}&to=2032-01-02T00:00:00Z`))).toEqual([a]);
    expect(ids(await call('GET', `/events?type=${type}&from=2032-01-01T05:30:01%2B05:30&to=2032-01-03T00:00:00`))).toEqual([b]);
    expectError(await call('GET', '/events?from=yesterday'), 400, 'validation_failed');
  });

  it('q needs every word in the title or the description, in any case; % and _ are plain characters', async () => {
    const type = uniqueType();
    const [both, titleOnly, percent] = await insert([
      { type, title: 'Breath and Stillness', description: 'A gentle evening practice', startsAt: T0 },
      { type, title: 'Evening Breathwork', description: '', startsAt: T0 + HOUR },
      { type, title: '100% Detox', description: '', startsAt: T0 + 2 * HOUR },
    ]);
    expect(ids(await call('GET', `/events?type=${type}&q=EVENING`))).toEqual([both, titleOnly]);
    expect(ids(await call('GET', `/events?type=${type}&q=evening%20stillness`))).toEqual([both]);
    expect(ids(await call('GET', `/events?type=${type}&q=%25`))).toEqual([percent]);
    expect(ids(await call('GET', `/events?type=${type}&q=_`))).toEqual([]);
  });
});

describe('GET /events pagination', () => {
  it('limit defaults to 50 and may be at most 100: 101 is 400 validation_failed, not silently capped', async () => {
    const type = uniqueType();
    await insert(Array.from({ length: 55 }, (_, i) => ({ type, startsAt: T0 + i * HOUR })));
    const first = await call('GET', `/events?type=${type}`);
    expect(first.json.events).toHaveLength(50);
    expect(typeof first.json.next_cursor).toBe('string');
    expect((await call('GET', `/events?type=${type}&limit=100`)).json).toMatchObject({ next_cursor: null });
    for (const bad of ['101', '0', '-1', '2.5', 'ten']) {
      expectError(await call('GET', `/events?limit=${bad}`), 400, 'validation_failed');
    }
  });

  it('walking every page with next_cursor returns every matching event exactly once, by starts_at then id', async () => {
    const type = uniqueType();
    // Several events share a start time, so the id breaks ties across page boundaries.
    const starts = [5, 1, 1, 1, 3, 2, 2, 4, 1, 5, 5, 0, 3, 3, 3, 2, 4, 4, 0, 1, 2, 5, 0].map((h) => T0 + h * HOUR);
    const created = await insert(starts.map((startsAt) => ({ type, startsAt })));
    await insert([{ type, status: 'cancelled', startsAt: T0 }]);
    const expected = created.map((id, i) => ({ id, at: starts[i]! })).sort((a, b) => a.at - b.at || a.id - b.id);

    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    const catalogue = typedClient(eventRoutes);
    do {
      const after: string | null = cursor;
      const res = await catalogue.events.$get({ query: { type, limit: '4', ...(after ? { cursor: after } : {}) } });
      const page = await res.json();
      expect(page.events.length).toBeLessThanOrEqual(4);
      seen.push(...ids({ json: page }));
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(cursor).toBeNull();
    expect(pages).toBe(6);
    expect(seen).toEqual(expected.map((e) => e.id));
  });

  it('a cursor this API did not make is 400', async () => {
    for (const cursor of ['garbage', 'WzEsMl0x', btoa('{"a":1}')]) {
      const body = expectError(await call('GET', `/events?cursor=${encodeURIComponent(cursor)}`), 400, 'validation_failed');
      expect(body.issues[0].path).toBe('cursor');
    }
  });
});
