import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { crmRetryDelaySeconds } from '../../src/modules/crm/consumer';
import type { CrmNotification } from '../../src/modules/crm/messages';
import { CRM_DEAD_LETTER_QUEUE_NAME, CRM_QUEUE_NAME, handleQueue } from '../../src/queue';
import { handleScheduled } from '../../src/scheduled';
import { bookedMessage } from '../support/api';
import { createEvent, createUser, outboxRowsFor } from '../support/fixtures';
import { call } from '../support/http';

const CRM_URL = 'https://crm.example.test/ahoum/notifications';
const SECRET = 'test-crm-secret'; // vitest.config.ts binds CRM_WEBHOOK_SECRET to this
const withWebhook = { ...env, CRM_WEBHOOK_URL: CRM_URL } as Env;

afterEach(() => vi.restoreAllMocks());

async function outboxRow(id: string) {
  return env.DB.prepare('SELECT status, attempts, last_error, delivered_at, dead_at FROM outbox WHERE id = ?').bind(id).first<{
    status: string;
    attempts: number;
    last_error: string | null;
    delivered_at: number | null;
    dead_at: number | null;
  }>();
}

/**
 * Runs one message through the Worker's queue handler. getQueueResult reports acks and retries but not the
 * retry options, so `retry` is spied on to read the delay the consumer asked for.
 */
async function consume(queue: string, body: CrmNotification, attempts = 1, environment = withWebhook) {
  const batch = createMessageBatch<CrmNotification>(queue, [{ id: `msg-${attempts}`, timestamp: new Date(), attempts, body }]);
  const retrySpy = vi.spyOn(batch.messages[0]!, 'retry');
  const ctx = createExecutionContext();
  await handleQueue(batch, environment, ctx);
  const result = await getQueueResult(batch, ctx);
  return { ...result, retryDelays: retrySpy.mock.calls.map(([options]) => options?.delaySeconds) };
}

async function verifySignature(secret: string, body: string, header: string) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
  ]);
  const hex = header.replace(/^sha256=/, '');
  const bytes = new Uint8Array(hex.match(/../g)!.map((pair) => parseInt(pair, 16)));
  return crypto.subtle.verify('HMAC', key, bytes, new TextEncoder().encode(body));
}

describe('CRM consumer', () => {
  it('POSTs the message, logs one JSON line, acks it and marks the outbox row delivered', async () => {
    const { row, message } = await bookedMessage();
    expect(row.status).toBe('queued');
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('ok', { status: 200 }));
    const logSpy = vi.spyOn(console, 'log');

    const result = await consume(CRM_QUEUE_NAME, message);

    expect(result.explicitAcks).toEqual(['msg-1']);
    expect(result.retryMessages).toEqual([]);
    expect(result.retryDelays).toEqual([]);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const [url, init] = fetchSpy.mock.calls[0]!;
    expect(url).toBe(CRM_URL);
    expect(init!.method).toBe('POST');
    expect(JSON.parse(init!.body as string)).toEqual(message);
    const headers = new Headers(init!.headers);
    expect(headers.get('Content-Type')).toBe('application/json');
    expect(headers.get('Idempotency-Key')).toBe(message.id);
    expect(init!.signal).toBeInstanceOf(AbortSignal);

    const lines = logSpy.mock.calls.map((args) => JSON.parse(String(args[0])));
    expect(lines).toEqual([{ level: 'info', msg: 'crm notification', attempt: 1, notification: message }]);
    expect(await outboxRow(message.id)).toMatchObject({ status: 'delivered', attempts: 1, last_error: null });
  });

  it('signs the exact body: X-Ahoum-Signature verifies with CRM_WEBHOOK_SECRET and fails with another secret', async () => {
    const { message } = await bookedMessage();
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(null, { status: 204 }));
    await consume(CRM_QUEUE_NAME, message);
    const init = fetchSpy.mock.calls[0]![1]!;
    const signature = new Headers(init.headers).get('X-Ahoum-Signature')!;
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(await verifySignature(SECRET, init.body as string, signature)).toBe(true);
    expect(await verifySignature('another-secret', init.body as string, signature)).toBe(false);
    expect(await verifySignature(SECRET, `${init.body as string} `, signature)).toBe(false);
  });

  it('without CRM_WEBHOOK_URL it only logs, then acks and marks delivered', async () => {
    const { message } = await bookedMessage();
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const result = await consume(CRM_QUEUE_NAME, message, 1, env);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(result.explicitAcks).toEqual(['msg-1']);
    expect((await outboxRow(message.id))!.status).toBe('delivered');
  });

  it('a CRM answering 500 gets the message retried with a growing delay, the row kept with the error', async () => {
    const { message } = await bookedMessage();
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response('boom', { status: 500 }));
    const delays: number[] = [];
    for (const attempts of [1, 2, 3, 4, 5]) {
      const result = await consume(CRM_QUEUE_NAME, message, attempts);
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryMessages).toEqual([{ msgId: `msg-${attempts}` }]);
      delays.push(result.retryDelays[0]!);
    }
    expect(delays).toEqual([10, 20, 40, 80, 160]);
    expect(await outboxRow(message.id)).toMatchObject({ status: 'queued', attempts: 5, last_error: 'Error: CRM answered 500' });
  });

  it('a network failure or timeout is retried too', async () => {
    const { message } = await bookedMessage();
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    const result = await consume(CRM_QUEUE_NAME, message, 2);
    expect(result.retryMessages).toEqual([{ msgId: 'msg-2' }]);
    expect(result.retryDelays).toEqual([20]);
    expect((await outboxRow(message.id))!.last_error).toMatch(/TimeoutError/);
  });

  it('the backoff doubles from 10 s and stops growing at 15 minutes', () => {
    expect([1, 2, 3, 6, 7, 20].map(crmRetryDelaySeconds)).toEqual([10, 20, 40, 320, 640, 900]);
  });

  it('after the last retry the dead-letter consumer marks the row dead (kept) and acks', async () => {
    const { message } = await bookedMessage();
    const errorSpy = vi.spyOn(console, 'error');
    const result = await consume(CRM_DEAD_LETTER_QUEUE_NAME, message, 1);
    expect(result.explicitAcks).toEqual(['msg-1']);
    expect(await outboxRow(message.id)).toMatchObject({ status: 'dead', dead_at: expect.any(Number) });
    expect(JSON.parse(String(errorSpy.mock.calls[0]![0]))).toMatchObject({ level: 'error', notification: { id: message.id } });
  });

  it('the dead-letter consumer never turns a delivered row dead (a duplicate got through)', async () => {
    const { message } = await bookedMessage();
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('ok'));
    await consume(CRM_QUEUE_NAME, message);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await consume(CRM_DEAD_LETTER_QUEUE_NAME, message);
    expect((await outboxRow(message.id))!.status).toBe('delivered');
  });
});

describe('outbox and the cron', () => {
  it('a failed queue send leaves the row pending; the scheduled job sends it later and it is delivered', async () => {
    const event = await createEvent();
    const { token } = await createUser();
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const sendSpy = vi.spyOn(env.CRM_QUEUE, 'sendBatch').mockRejectedValueOnce(new Error('queue unavailable'));
    const res = await call('POST', '/book', { token, body: { event_id: event.id } });
    expect(res.status).toBe(201); // the booking is committed whatever happens to the send
    expect(sendSpy).toHaveBeenCalledTimes(1);
    const [row] = await outboxRowsFor({ bookingIds: [res.json.booking.id] });
    expect(row!.status).toBe('pending');

    // Too early: the cron leaves rows that may still be on their way.
    await handleScheduled(createScheduledController({ scheduledTime: Date.now() }), env, createExecutionContext());
    expect((await outboxRow(row!.id))!.status).toBe('pending');

    const sent: CrmNotification[] = [];
    sendSpy.mockImplementation(async (messages) => {
      for (const m of messages) sent.push(m.body as CrmNotification);
      return { metadata: {} } as unknown as QueueSendBatchResponse;
    });
    const later = Date.now() + 3 * 60_000;
    await handleScheduled(createScheduledController({ scheduledTime: later }), env, createExecutionContext());
    expect((await outboxRow(row!.id))!.status).toBe('queued');
    const resent = sent.find((m) => m.id === row!.id)!;
    expect(resent).toEqual(row!.payload);

    vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('ok'));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect((await consume(CRM_QUEUE_NAME, resent)).explicitAcks).toEqual(['msg-1']);
    expect((await outboxRow(row!.id))!.status).toBe('delivered');
  });

  it('a queued row the queue lost is sent again by the cron: duplicated deliveries carry the same id and body', async () => {
    const { message } = await bookedMessage();
    await env.DB.prepare('UPDATE outbox SET queued_at = queued_at - ? WHERE id = ?')
      .bind(31 * 60_000, message.id)
      .run();
    const sent: CrmNotification[] = [];
    vi.spyOn(env.CRM_QUEUE, 'sendBatch').mockImplementation(async (messages) => {
      for (const m of messages) sent.push(m.body as CrmNotification);
      return { metadata: {} } as unknown as QueueSendBatchResponse;
    });
    await handleScheduled(createScheduledController({ scheduledTime: Date.now() }), env, createExecutionContext());
    const duplicate = sent.find((m) => m.id === message.id)!;
    expect(duplicate).toEqual(message);

    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response('ok'));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await consume(CRM_QUEUE_NAME, message);
    await consume(CRM_QUEUE_NAME, duplicate);
    const keys = fetchSpy.mock.calls.map(([, init]) => new Headers(init!.headers).get('Idempotency-Key'));
    const bodies = fetchSpy.mock.calls.map(([, init]) => init!.body);
    expect(keys).toEqual([message.id, message.id]);
    expect(bodies[0]).toBe(bodies[1]);
  });

  it('delivered and dead rows are never re-sent by the cron', async () => {
    const delivered = await bookedMessage();
    const dead = await bookedMessage();
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await consume(CRM_QUEUE_NAME, delivered.message, 1, env);
    await consume(CRM_DEAD_LETTER_QUEUE_NAME, dead.message);
    await env.DB.prepare('UPDATE outbox SET created_at = created_at - ? WHERE id IN (?, ?)')
      .bind(3600_000, delivered.message.id, dead.message.id)
      .run();
    const sendSpy = vi.spyOn(env.CRM_QUEUE, 'sendBatch');
    await handleScheduled(createScheduledController({ scheduledTime: Date.now() + 3600_000 }), env, createExecutionContext());
    const resentIds = sendSpy.mock.calls.flatMap(([messages]) => [...messages].map((m) => (m.body as CrmNotification).id));
    expect(resentIds).not.toContain(delivered.message.id);
    expect(resentIds).not.toContain(dead.message.id);
  });
});
