import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import { ACTIVE_BOOKING_STATUSES_SQL } from '../../db/statuses';
import { positiveInt } from '../../lib/settings';

/**
 * OWASP API6 (sensitive business flows): one account must not be able to hold every seat there is. A user may hold
 * at most MAX_ACTIVE_BOOKINGS_PER_USER active bookings (confirmed, waitlisted or payment holds) on events that have
 * not started. The limit is part of each booking's conditional INSERT, so parallel requests cannot overshoot it.
 */
export const DEFAULT_MAX_ACTIVE_BOOKINGS = 20;

export function maxActiveBookings(env: Pick<Env, 'MAX_ACTIVE_BOOKINGS_PER_USER'>): number {
  return positiveInt(env.MAX_ACTIVE_BOOKINGS_PER_USER, DEFAULT_MAX_ACTIVE_BOOKINGS);
}

export const activeUpcomingCount = (user: string, now: string) =>
  `(SELECT count(*) FROM bookings lb JOIN events le ON le.id = lb.event_id
    WHERE lb.user_id = ${user} AND lb.status IN ${ACTIVE_BOOKING_STATUSES_SQL} AND le.starts_at > ${now})`;

/** SQL condition for a booking INSERT ... SELECT, over its numbered parameters: true while the user is under the limit. */
export function underBookingLimitSql(params: { user: string; now: string; limit: string }) {
  return `${activeUpcomingCount(params.user, params.now)} < ${params.limit}`;
}

/** Explains a refused insert: 409 booking_limit_reached when the user is at the limit. */
export async function assertUnderBookingLimit(db: Database, userId: number, limit: number, now: Date) {
  const row = await db.$client
    .prepare(`SELECT ${activeUpcomingCount('?1', '?2')} AS n`)
    .bind(userId, now.getTime())
    .first<{ n: number }>();
  if ((row?.n ?? 0) >= limit) {
    throw new ApiError(
      'booking_limit_reached',
      `You already hold the most active bookings allowed for upcoming events (${limit}); cancel one to book another`,
    );
  }
}
