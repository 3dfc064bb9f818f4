import { clientRequest, fetchWithEnv, type CallOptions } from '../support/http';
import { instrumentD1, recordingQueue, type FaultPlan } from './instrumented-d1';
import { hardeningDb } from './isolated-db';

export interface HardCallOptions extends CallOptions {
  /** Fail the Nth D1 round trip of this request. */
  fault?: FaultPlan;
  /** Make every queue send fail. */
  queueDown?: boolean;
  /** Settings for this one request (e.g. a lower cap). */
  vars?: Record<string, string>;
}

/**
 * Calls the app as a client would, against the hardening suites' own D1 through the instrumented binding, with
 * recording queues; waits for work left in waitUntil, so the answer and every write it caused are in.
 */
export async function hardCall(method: string, path: string, options: HardCallOptions = {}) {
  return hardFetch(clientRequest(method, path, options), options);
}

export async function hardFetch(request: Request, options: Pick<HardCallOptions, 'fault' | 'queueDown' | 'vars'> = {}) {
  const d1 = instrumentD1(hardeningDb, options.fault);
  const crm = recordingQueue({ fail: options.queueDown });
  const jobs = recordingQueue({ fail: options.queueDown });
  const res = await fetchWithEnv(request, { ...options.vars, DB: d1.db, CRM_QUEUE: crm.queue, JOBS_QUEUE: jobs.queue });
  return { ...res, d1, crm: crm.sent, jobs: jobs.sent };
}

export type HardResponse = Awaited<ReturnType<typeof hardFetch>>;
