import { createDb } from '../../db/client';
import { fillPendingLocation, retryDelaySeconds } from './jobs';
import { geocoderSettings } from './geocoding';
import type { GeocodeJob } from './messages';

/** The jobs queue consumer: each message is acked when done, or retried with a growing delay. */
export async function handleGeocodeJobs(batch: MessageBatch<GeocodeJob>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  const geocoder = geocoderSettings(env);
  for (const message of batch.messages) {
    try {
      const outcome =
        message.body.kind === 'geocode_event' ? await fillPendingLocation(db, geocoder, message.body.event_id) : 'done';
      if (outcome === 'done') message.ack();
      else message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    } catch (error) {
      console.error(JSON.stringify({ level: 'error', msg: 'job failed', job: message.body, error: String(error) }));
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}
