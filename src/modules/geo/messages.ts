/** Jobs of the Worker itself, on the jobs queue (JOBS_QUEUE): fill in an event's pending coordinates. */
export type GeocodeJob = { kind: 'geocode_event'; event_id: number };
