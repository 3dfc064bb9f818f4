import { createDb } from '../../db/client';
import { fillPendingLocation, retryDelaySeconds } from './jobs';
import { geocoderSettings } from './geocoding';
import type { GeocodeJob } from './messages';

/** The jobs consumer's geocoding share: each message is acked when done, or retried with a growing delay. */
export async function handleGeocodeJobs(messages: readonly Message<GeocodeJob>[], env: Env): Promise<void> {
  if (messages.length === 0) return;
  const db = createDb(env.DB);
  const geocoder = geocoderSettings(env);
  for (const message of messages) {
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
