import { Batch } from '../../db/batch';
import { isForeignKeyViolation } from '../../db/errors';
import { eq } from 'drizzle-orm';
import { facilitators, series } from '../../db/schema';
import type { CurrentUser, Database } from '../../env';
import { ApiError, validationFailed } from '../../http/errors';
import { owningFacilitatorId } from '../events/access';
import { resolveLocation } from '../events/location';
import type { EventDeps } from '../events/manage';
import { insertOccurrences, occurrencesToMake } from './generate';
import { findSeries } from './read-model';
import { parseRrule, type RecurrenceRule } from './rrule';
import type { NewSeries } from './schemas';

const DEFAULT_DURATION_MINUTES = 60;
const MAX_UNTIL_MS = 2 * 366 * 86_400_000;

/** The rule, or 400 with one issue on `rrule` per problem (unsupported parts, UNTIL more than two years ahead). */
export function ruleOf(text: string, first: Date, now: Date): RecurrenceRule {
  const parsed = parseRrule(text);
  if ('problems' in parsed) throw validationFailed(parsed.problems.map((message) => ({ path: 'rrule', message })));
  const until = parsed.rule.until;
  if (until && until.getTime() > now.getTime() + MAX_UNTIL_MS) {
    throw validationFailed([{ path: 'rrule', message: 'UNTIL must be at most 2 years ahead' }]);
  }
  if (until && until.getTime() < first.getTime()) {
    throw validationFailed([{ path: 'rrule', message: 'UNTIL is before the first occurrence' }]);
  }
  return parsed.rule;
}

/**
 * POST /series: the series and its first occurrences (all of them for COUNT/UNTIL, up to 365; the horizon for an
 * open-ended one) in one atomic batch. The location is geocoded once; every occurrence shares its coordinates.
 */
export async function createSeries(
  db: Database,
  deps: EventDeps & { horizonDays: number },
  actor: CurrentUser,
  input: NewSeries,
) {
  const facilitatorId = await owningFacilitatorId(db, actor, input.facilitator_id);
  if (facilitatorId === undefined) {
    throw validationFailed([{ path: 'facilitator_id', message: 'An admin must say which facilitator runs the series' }]);
  }
  // Asked first, so an unknown facilitator is 422 whatever else is wrong (the foreign key stays the last word).
  const known = await db.query.facilitators.findFirst({ columns: { id: true }, where: eq(facilitators.id, facilitatorId) });
  if (!known) throw new ApiError('facilitator_not_found', 'No facilitator has this facilitator_id');
  const now = new Date();
  if (input.starts_at.getTime() <= now.getTime()) {
    throw validationFailed([{ path: 'starts_at', message: 'The first occurrence must be in the future' }]);
  }
  const rule = ruleOf(input.rrule, input.starts_at, now);
  const durationMinutes = input.ends_at
    ? Math.round((input.ends_at.getTime() - input.starts_at.getTime()) / 60_000)
    : (input.duration_minutes ?? DEFAULT_DURATION_MINUTES);
  if (durationMinutes < 1) throw validationFailed([{ path: 'ends_at', message: 'ends_at must be after starts_at' }]);
  const place = await resolveLocation(db, deps.geocoder, input);
  const starts = occurrencesToMake(rule, { startsAt: input.starts_at, timezone: input.timezone }, now, deps.horizonDays);

  const batch = new Batch(db.$client);
  const created = batch.add<{ id: number }>(
    db
      .insert(series)
      .values({
        title: input.title,
        description: input.description ?? '',
        type: input.type,
        rrule: input.rrule.toUpperCase(),
        timezone: input.timezone,
        startsAt: input.starts_at,
        durationMinutes,
        ...place,
        capacity: input.capacity ?? null,
        price: input.price ?? 0,
        currency: input.currency ?? 'INR',
        facilitatorId,
        cancellationCutoffHours: input.cancellation_cutoff_hours ?? deps.defaultCutoffHours,
        lateCancelRefundPercent: input.late_cancel_refund_percent ?? 0,
        generatedUntil: new Date(starts[starts.length - 1]!),
      })
      .returning({ id: series.id }),
  );
  const occurrences = insertOccurrences(batch, 'just-inserted', starts, now);
  let result;
  try {
    result = await batch.run();
  } catch (error) {
    if (isForeignKeyViolation(error)) throw new ApiError('facilitator_not_found', 'No facilitator has this facilitator_id');
    throw error;
  }
  const id = result.rows(created)[0]!.id;
  if (place.locationStatus === 'pending') {
    for (const occurrence of result.rows(occurrences)) await deps.geocodeLater(occurrence.id);
  }
  return findSeries(db, id);
}
