import { app } from './app';
import { handleQueue } from './queue';
import { handleScheduled } from './scheduled';

export default {
  fetch: app.fetch,
  queue: handleQueue,
  scheduled: handleScheduled,
} satisfies ExportedHandler<Env>;
