import { wholeNumber } from '../../lib/settings';

export const DEFAULT_CHECK_IN_OPENS_MINUTES = 60;
/** Check-in closes, and the cron marks no-shows, this long after an event's end. */
export const ATTENDANCE_GRACE_MS = 12 * 3_600_000;

export function checkInOpensMinutes(env: Pick<Env, 'CHECK_IN_OPENS_MINUTES'>): number {
  return wholeNumber(env.CHECK_IN_OPENS_MINUTES, DEFAULT_CHECK_IN_OPENS_MINUTES, 7 * 24 * 60);
}
