import { createDb } from './db/client';
import type { Job } from './queue/messages';
import { requeueStalePendingGeocodes } from './services/geocode-jobs';

/** The cron trigger (wrangler.toml `[triggers]`): periodic repair jobs, each independent of the others. */
export async function handleScheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  const db = createDb(env.DB);
  const tasks: Array<[string, () => Promise<unknown>]> = [
    ['requeue pending geocodes', () => requeueStalePendingGeocodes(db, env.JOBS_QUEUE as Queue<Job>)],
  ];
  const results = await Promise.allSettled(tasks.map(([, run]) => run()));
  results.forEach((result, i) => {
    if (result.status === 'rejected') {
      console.error(
        JSON.stringify({ level: 'error', msg: 'scheduled task failed', task: tasks[i]![0], error: String(result.reason) }),
      );
    }
  });
  void controller;
  void env;
  void ctx;
}
