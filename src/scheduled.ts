import { createDb } from './db/client';
import { expirePasses } from './modules/passes/expiry';
import { closeWaitlists } from './modules/bookings/close-waitlists';
import { waitlistRules } from './modules/bookings/waitlist';
import { decideMinimumAttendance } from './modules/attendance/go-decision';
import { markNoShows } from './modules/attendance/no-shows';
import { reminderHours, sendReminders } from './modules/reminders/send';
import { purgeLoginFailures } from './modules/accounts/login-throttle';
import { purgeResetTokens } from './modules/accounts/reset';
import { purgeExpiredRefreshTokens, sessionSettings } from './modules/accounts/sessions';
import { resendUndelivered } from './modules/crm/delivery';
import { requeueStalePendingGeocodes } from './modules/geo/jobs';
import { expireIdempotencyKeys } from './modules/bookings/idempotency';
import { releaseAllExpiredHolds } from './modules/payments/hold';
import { retryPendingRefunds } from './modules/payments/refund';
import { paymentSettings } from './modules/payments/settings';
import { extendSeries } from './modules/series/generate';
import { resendStalledDeliveries } from './modules/webhooks/deliveries';

/** The cron trigger (wrangler.toml `[triggers]`): periodic repair jobs, each independent of the others. */
export async function handleScheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
  const db = createDb(env.DB);
  const now = new Date(controller.scheduledTime);
  const tasks: Array<[string, () => Promise<unknown>]> = [
    ['requeue pending geocodes', () => requeueStalePendingGeocodes(db, env.JOBS_QUEUE)],
    ['resend undelivered crm notifications', () => resendUndelivered(db, env.CRM_QUEUE, now)],
    ['resend stalled webhook deliveries', () => resendStalledDeliveries(env.DB, env.WEBHOOK_QUEUE, now)],
    ['expire idempotency keys', () => expireIdempotencyKeys(db, now)],
    ['release expired holds and offers', () => releaseAllExpiredHolds(db, env.CRM_QUEUE, waitlistRules(env), now)],
    ['close waitlists of started events', () => closeWaitlists(db, env.CRM_QUEUE, now)],
    ['extend open-ended series', () => extendSeries(db, env, now)],
    ['retry pending refunds', () => retryPendingRefunds(db, env.CRM_QUEUE, paymentSettings(env), now)],
    ['expire passes', () => expirePasses(db, now)],
    ['mark no-shows', () => markNoShows(db, env.CRM_QUEUE, now)],
    ['decide minimum attendance', () => decideMinimumAttendance(db, env.CRM_QUEUE, now)],
    ['send reminders', () => sendReminders(db, env.CRM_QUEUE, reminderHours(env), now)],
    ['purge old login failures', () => purgeLoginFailures(db, sessionSettings(env).throttle, now)],
    ['purge expired refresh tokens', () => purgeExpiredRefreshTokens(db, now)],
    ['purge expired password reset tokens', () => purgeResetTokens(db, now)],
  ];
  const results = await Promise.allSettled(tasks.map(([, run]) => run()));
  results.forEach((result, i) => {
    if (result.status === 'rejected') {
      console.error(
        JSON.stringify({ level: 'error', msg: 'scheduled task failed', task: tasks[i]![0], error: String(result.reason) }),
      );
    }
  });
}
