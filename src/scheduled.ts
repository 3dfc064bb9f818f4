/** The cron trigger (wrangler.toml `[triggers]`): periodic repair jobs, each independent of the others. */
export async function handleScheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  const tasks: Array<[string, () => Promise<unknown>]> = [];
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
