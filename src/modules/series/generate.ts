import { and, asc, eq, lt } from 'drizzle-orm';
import { Batch, type StepRef } from '../../db/batch';
import { series, type SeriesRow } from '../../db/schema';
import type { Database } from '../../env';
import { positiveInt } from '../../lib/settings';
import { MAX_COUNT, occurrences, parseRrule, type RecurrenceRule } from './rrule';

export const DEFAULT_HORIZON_DAYS = 84;
const DAY = 86_400_000;
/** generated_until of a series whose rule has no occurrence left: the cron never looks at it again. */
export const COMPLETE = new Date(8_640_000_000_000_000);

export function horizonDays(env: Pick<Env, 'SERIES_HORIZON_DAYS'>): number {
  return positiveInt(env.SERIES_HORIZON_DAYS, DEFAULT_HORIZON_DAYS);
}

/**
 * Bounded rules (COUNT or UNTIL) are made whole, 365 at a time (the cron makes the rest once the last one made comes
 * within the horizon); open-ended ones up to the horizon.
 */
export function occurrencesToMake(
  rule: RecurrenceRule,
  template: Pick<SeriesRow, 'startsAt' | 'timezone'>,
  now: Date,
  horizon: number,
  after?: number,
) {
  const bounded = rule.count !== null || rule.until !== null;
  return occurrences(rule, template.startsAt, template.timezone, {
    after,
    before: bounded ? Number.MAX_SAFE_INTEGER : now.getTime() + horizon * DAY,
    max: MAX_COUNT,
  });
}

/**
 * Adds the occurrences starting at `starts` to the batch: one INSERT ... SELECT over a JSON array (two bound parameters
 * whatever the count, well inside D1's limits) copying the series' template, for a series not cancelled. The unique
 * index on (series_id, starts_at) makes a start that exists already a no-op, so a repeated run creates nothing twice.
 * `seriesId` 'just-inserted' is the series the statement just before added in the same batch.
 */
export function insertOccurrences(
  batch: Batch,
  seriesId: number | 'just-inserted',
  starts: number[],
  now: Date,
): StepRef<{ id: number }> {
  const which = seriesId === 'just-inserted' ? 'last_insert_rowid()' : '?3';
  return batch.sql<{ id: number }>(
    `INSERT INTO events (title, description, type, status, starts_at, ends_at, timezone, location, latitude, longitude,
       location_status, geocode_attempted_at, capacity, price, currency, facilitator_id, series_id,
       cancellation_cutoff_hours, late_cancel_refund_percent, created_at, updated_at)
     WITH s AS MATERIALIZED (SELECT * FROM series WHERE id = ${which})
     SELECT s.title, s.description, s.type, 'scheduled', j.value, j.value + s.duration_minutes * 60000, s.timezone,
       s.location, s.latitude, s.longitude, s.location_status, CASE WHEN s.location_status = 'pending' THEN ?2 END,
       s.capacity, s.price, s.currency, s.facilitator_id, s.id, s.cancellation_cutoff_hours, s.late_cancel_refund_percent, ?2, ?2
     FROM s, json_each(?1) j WHERE s.status = 'active'
     ON CONFLICT (series_id, starts_at) DO NOTHING
     RETURNING id`,
    JSON.stringify(starts),
    now.getTime(),
    ...(seriesId === 'just-inserted' ? [] : [seriesId]),
  );
}

const EXTEND_BATCH = 50;

/**
 * Cron: makes the next occurrences of every active series whose made-so-far end is inside the horizon, from there on.
 * Idempotent: the unique index refuses a start made twice, and `generated_until` only moves forward (a conditional
 * UPDATE), so runs that overlap or repeat create nothing twice. A series with nothing left is marked complete.
 */
export async function extendSeries(db: Database, env: Pick<Env, 'SERIES_HORIZON_DAYS'>, now: Date) {
  const horizon = horizonDays(env);
  const due = await db
    .select()
    .from(series)
    .where(and(eq(series.status, 'active'), lt(series.generatedUntil, new Date(now.getTime() + horizon * DAY))))
    .orderBy(asc(series.generatedUntil))
    .limit(EXTEND_BATCH);
  let created = 0;
  for (const row of due) {
    const parsed = parseRrule(row.rrule);
    if (!('rule' in parsed)) continue;
    const starts = occurrencesToMake(parsed.rule, row, now, horizon, row.generatedUntil.getTime());
    const bounded = parsed.rule.count !== null || parsed.rule.until !== null;
    // Moves forward only; a bounded series with nothing left is complete and never selected again.
    const next = starts.length > 0 ? starts[starts.length - 1]! : bounded ? COMPLETE.getTime() : null;
    if (next === null) continue;
    const batch = new Batch(db.$client);
    const inserted = insertOccurrences(batch, row.id, starts, now);
    batch.sql(
      `UPDATE series SET generated_until = max(generated_until, ?1), updated_at = ?2 WHERE id = ?3`,
      next,
      now.getTime(),
      row.id,
    );
    created += (await batch.run()).rows(inserted).length;
  }
  return created;
}
