import type { EmailJob } from './messages';

export interface EmailSettings {
  from: string;
  /** `send` through the EMAIL binding (Cloudflare Email Service); `log` (local default) writes one JSON line instead. */
  delivery: 'send' | 'log';
}

export function emailSettings(env: Env): EmailSettings {
  return { from: env.EMAIL_FROM, delivery: env.EMAIL_DELIVERY === 'send' ? 'send' : 'log' };
}

/** Queues an email; it is sent by the jobs consumer (deliverEmail), never inside the request that asked for it. */
export async function enqueueEmail(jobs: Queue, email: Omit<EmailJob, 'kind'>) {
  await jobs.send({ kind: 'email', ...email } satisfies EmailJob);
}

/** Sends one email, or logs it (EMAIL_DELIVERY=log). Throws when the Email Service refuses, so the job is retried. */
export async function deliverEmail(env: Pick<Env, 'EMAIL'>, settings: EmailSettings, email: EmailJob) {
  if (settings.delivery === 'log') {
    console.log(JSON.stringify({ level: 'info', msg: 'email', to: email.to, subject: email.subject, text: email.text }));
    return;
  }
  await env.EMAIL.send({ from: settings.from, to: email.to, subject: email.subject, text: email.text });
}

/** The jobs consumer's share of a batch: each email acked when sent, else retried after a growing delay. */
export async function handleEmailJobs(messages: readonly Message<EmailJob>[], env: Env) {
  const settings = emailSettings(env);
  for (const message of messages) {
    try {
      await deliverEmail(env, settings, message.body);
      message.ack();
    } catch (error) {
      // The address is left out of the log line: it is personal data, and the subject says which email it was.
      console.error(JSON.stringify({ level: 'error', msg: 'email failed', subject: message.body.subject, error: String(error) }));
      message.retry({ delaySeconds: Math.min(30 * 2 ** (message.attempts - 1), 3600) });
    }
  }
}
