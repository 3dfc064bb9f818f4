/** An email to send, as a job on the jobs queue (JOBS_QUEUE): the consumer sends it, retrying failures with backoff. */
export type EmailJob = { kind: 'email'; to: string; subject: string; text: string };
