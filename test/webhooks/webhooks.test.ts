import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { CrmNotification } from '../../src/modules/crm/messages';
import { CRM_QUEUE_NAME, handleQueue } from '../../src/queue';
import { consumeWebhookDeliveries, WEBHOOK_MAX_ATTEMPTS } from '../../src/modules/webhooks/consumer';
import type { WebhookJob } from '../../src/modules/webhooks/messages';
import { bookedMessage, runCron } from '../support/api';
import { createUser } from '../support/fixtures';
import { call, expectError } from '../support/http';

afterEach(() => vi.restoreAllMocks());
// Subscriptions live in the shared test database: leave none active for other files' CRM consumers to fan out to.
afterAll(() => env.DB.prepare('UPDATE webhook_subscriptions SET active = 0').run());

const admin = await createUser('admin');

async function subscribe(url: string, events: string[] = ['booking.created']) {
  const res = await call('POST', '/webhooks', { token: admin.token, body: { url, events, description: 'test receiver' } });
  expect(res.status, res.text).toBe(201);
  return res.json.webhook as { id: number; url: string; secret: string; events: string[]; active: boolean };
}

/** The CRM consumer receiving a message: where the fan-out happens. */
async function consumeCrm(message: CrmNotification, environment: Env = env) {
  const batch = createMessageBatch<CrmNotification>(CRM_QUEUE_NAME, [
    { id: 'crm-1', timestamp: new Date(), attempts: 1, body: message },
  ]);
  const ctx = createExecutionContext();
  await handleQueue(batch, environment, ctx);
  return getQueueResult(batch, ctx);
}

async function deliveryRows(subscriptionId: number, messageId?: string) {
  const { results } = await env.DB.prepare(
    `SELECT id, message_id, status, attempts, response_status, queued_at FROM webhook_deliveries
     WHERE subscription_id = ? AND (? IS NULL OR message_id = ?) ORDER BY id`,
  )
    .bind(subscriptionId, messageId ?? null, messageId ?? null)
    .all<{
      id: number;
      message_id: string;
      status: string;
      attempts: number;
      response_status: number | null;
      queued_at: number | null;
    }>();
  return results;
}

/** The webhooks queue's consumer on these deliveries (one message each), as the runtime would call it. */
async function consumeDeliveries(ids: number[], attempts = 1, timeoutMs = 300) {
  const batch = createMessageBatch<WebhookJob>(
    'ahoum-webhooks',
    ids.map((deliveryId) => ({ id: `d-${deliveryId}`, timestamp: new Date(), attempts, body: { kind: 'webhook', deliveryId } })),
  );
  const ctx = createExecutionContext();
  await consumeWebhookDeliveries(batch, env, timeoutMs);
  return { batch, result: await getQueueResult(batch, ctx) };
}

/** An independent check of Ahoum-Signature: parse t and v1, recompute with WebCrypto's verify. */
async function verifyAhoumSignature(secret: string, header: string, body: string) {
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=') as [string, string]));
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
  ]);
  const signature = new Uint8Array(parts.v1!.match(/../g)!.map((pair) => parseInt(pair, 16)));
  const valid = await crypto.subtle.verify('HMAC', key, signature, new TextEncoder().encode(`${parts.t}.${body}`));
  return { valid, t: Number(parts.t) };
}

type Received = { url: string; headers: Headers; body: string };

/** Receivers at the fetch boundary: each URL answers by its own handler. */
function receivers(handlers: Record<string, (signal: AbortSignal | null | undefined) => Promise<Response>>) {
  const received: Received[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    received.push({ url: request.url, headers: request.headers, body: await request.text() });
    const handler = handlers[request.url];
    if (!handler) throw new Error(`unexpected fetch ${request.url}`);
    return handler(init?.signal);
  });
  return received;
}

describe('webhook subscriptions (admin routes)', () => {
  it('creates with a secret shown once, lists without it, deletes', async () => {
    const created = await subscribe('https://hooks.example.test/crud', ['booking.created', 'event.cancelled']);
    expect(created).toMatchObject({
      url: 'https://hooks.example.test/crud',
      events: ['booking.created', 'event.cancelled'],
      active: true,
    });
    expect(created.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const list = await call('GET', '/webhooks', { token: admin.token });
    expect(list.status).toBe(200);
    const listed = list.json.webhooks.find((w: { id: number }) => w.id === created.id);
    expect(listed).toMatchObject({ id: created.id, active: true });
    expect(listed).not.toHaveProperty('secret');
    expect(list.text).not.toContain(created.secret);

    const deleted = await call('DELETE', `/webhooks/${created.id}`, { token: admin.token });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ msg: 'Webhook deleted', webhook: { id: created.id, active: false } });
    const after = await call('GET', '/webhooks', { token: admin.token });
    expect(after.json.webhooks.some((w: { id: number }) => w.id === created.id)).toBe(false);
    expectError(await call('DELETE', `/webhooks/${created.id}`, { token: admin.token }), 404, 'not_found');
    expectError(await call('GET', `/webhooks/${created.id}/deliveries`, { token: admin.token }), 404, 'not_found');
  });

  it('refuses non-https URLs (http only to localhost), unknown event types and non-admins', async () => {
    const bad = async (body: unknown) => {
      const res = await call('POST', '/webhooks', { token: admin.token, body });
      expectError(res, 400, 'validation_failed');
      return res.json.issues as Array<{ path: string }>;
    };
    expect(await bad({ url: 'http://hooks.example.test/x', events: ['booking.created'] })).toEqual([
      expect.objectContaining({ path: 'url' }),
    ]);
    expect(await bad({ url: 'ftp://hooks.example.test/x', events: ['booking.created'] })).toEqual([
      expect.objectContaining({ path: 'url' }),
    ]);
    expect(await bad({ url: 'https://user:pw@hooks.example.test/x', events: ['booking.created'] })).toEqual([
      expect.objectContaining({ path: 'url' }),
    ]);
    expect((await bad({ url: 'https://hooks.example.test/x', events: ['booking.exploded'] }))[0]!.path).toMatch(/^events/);
    await bad({ url: 'https://hooks.example.test/x', events: [] });
    expect(
      (await call('POST', '/webhooks', { token: admin.token, body: { url: 'http://127.0.0.1:8790/hook', events: ['ping'] } }))
        .status,
    ).toBe(400);
    const local = await subscribe('http://localhost:8790/hook');
    expect(local.url).toBe('http://localhost:8790/hook');

    const member = await createUser();
    expectError(
      await call('POST', '/webhooks', { token: member.token, body: { url: 'https://a.test/x', events: ['booking.created'] } }),
      403,
      'forbidden',
    );
    expectError(await call('GET', '/webhooks', { token: member.token }), 403, 'forbidden');
    expectError(await call('GET', '/webhooks'), 401, 'unauthorized');
  });

  it('keeps http to localhost off when ALLOW_HTTP_WEBHOOKS is false (production)', async () => {
    const { callWithEnv } = await import('../support/http');
    const res = await callWithEnv({ ALLOW_HTTP_WEBHOOKS: 'false' }, 'POST', '/webhooks', {
      token: admin.token,
      body: { url: 'http://localhost:8790/hook', events: ['booking.created'] },
    });
    expectError(res, 400, 'validation_failed');
  });
});

describe('webhook delivery', () => {
  it('fans a CRM message out to each subscriber once, signed, with Ahoum-Event-Id and the CRM’s exact body', async () => {
    const hook = await subscribe('https://hooks.example.test/signed');
    const other = await subscribe('https://hooks.example.test/other-type', ['event.cancelled']);
    const { message } = await bookedMessage();
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    expect((await consumeCrm(message)).explicitAcks).toEqual(['crm-1']);
    expect(fetchSpy).not.toHaveBeenCalled(); // the CRM consumer only queues deliveries: no subscriber is called inline
    await consumeCrm(message); // consumed twice (at least once): still one delivery
    const rows = await deliveryRows(hook.id, message.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.queued_at).not.toBeNull();
    expect(await deliveryRows(other.id, message.id)).toEqual([]);

    vi.restoreAllMocks();
    const received = receivers({ [hook.url]: async () => new Response('ok', { status: 200 }) });
    const { result } = await consumeDeliveries([rows[0]!.id]);
    expect(result.explicitAcks).toEqual([`d-${rows[0]!.id}`]);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.body).toBe(JSON.stringify(message));
    expect(request!.headers.get('Ahoum-Event-Id')).toBe(message.id);
    expect(request!.headers.get('Content-Type')).toBe('application/json');
    const signature = await verifyAhoumSignature(hook.secret, request!.headers.get('Ahoum-Signature')!, request!.body);
    expect(signature.valid).toBe(true);
    expect(Math.abs(signature.t - Date.now() / 1000)).toBeLessThan(60);
    expect((await verifyAhoumSignature('whsec_wrong', request!.headers.get('Ahoum-Signature')!, request!.body)).valid).toBe(
      false,
    );

    const log = await call('GET', `/webhooks/${hook.id}/deliveries`, { token: admin.token });
    expect(log.status).toBe(200);
    expect(log.json.deliveries[0]).toMatchObject({
      message_id: message.id,
      type: 'booking.created',
      status: 'delivered',
      attempts: 1,
      response_status: 200,
    });
  });

  it('one subscriber failing (500) or hanging (timeout) does not delay another', async () => {
    const failing = await subscribe('https://hooks.example.test/fails');
    const hanging = await subscribe('https://hooks.example.test/hangs');
    const healthy = await subscribe('https://hooks.example.test/healthy');
    const { message } = await bookedMessage();
    await consumeCrm(message);
    const ids = await Promise.all([failing, hanging, healthy].map(async (h) => (await deliveryRows(h.id, message.id))[0]!.id));
    const events: string[] = [];
    receivers({
      [failing.url]: async () => new Response('boom', { status: 500 }),
      [hanging.url]: (signal) =>
        new Promise((_, reject) =>
          signal!.addEventListener('abort', () => {
            events.push('hanging timed out');
            reject(signal!.reason);
          }),
        ),
      [healthy.url]: async () => {
        events.push('healthy answered');
        return new Response(null, { status: 204 });
      },
    });
    const { result } = await consumeDeliveries(ids);
    expect(events).toEqual(['healthy answered', 'hanging timed out']);
    expect(result.explicitAcks).toEqual([`d-${ids[2]}`]);
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId).sort()).toEqual([`d-${ids[0]}`, `d-${ids[1]}`].sort());
    const [failed, timedOut, delivered] = await Promise.all(
      ids.map(async (id, i) => (await deliveryRows([failing, hanging, healthy][i]!.id, message.id))[0]!),
    );
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, response_status: 500 });
    expect(timedOut).toMatchObject({ status: 'failed', attempts: 1, response_status: null });
    expect(delivered).toMatchObject({ status: 'delivered', response_status: 204 });
  });

  it('is at least once: a retry carries the same Ahoum-Event-Id; it dies after the last attempt', async () => {
    const hook = await subscribe('https://hooks.example.test/flaky');
    const { message } = await bookedMessage();
    await consumeCrm(message);
    const [row] = await deliveryRows(hook.id, message.id);
    const answers = [503, 200];
    const received = receivers({ [hook.url]: async () => new Response(null, { status: answers.shift()! }) });
    const first = await consumeDeliveries([row!.id], 1);
    expect(first.result.retryMessages).toHaveLength(1);
    const second = await consumeDeliveries([row!.id], 2);
    expect(second.result.explicitAcks).toHaveLength(1);
    expect(received.map((r) => r.headers.get('Ahoum-Event-Id'))).toEqual([message.id, message.id]);
    expect(received[0]!.body).toBe(received[1]!.body);
    expect((await deliveryRows(hook.id, message.id))[0]).toMatchObject({
      status: 'delivered',
      attempts: 2,
      response_status: 200,
    });
    // Delivered already: a duplicate queue message sends nothing more.
    await consumeDeliveries([row!.id], 3);
    expect(received).toHaveLength(2);

    const doomed = await subscribe('https://hooks.example.test/always-down');
    const next = await bookedMessage();
    await consumeCrm(next.message);
    const [dead] = await deliveryRows(doomed.id, next.message.id);
    vi.restoreAllMocks();
    receivers({ [doomed.url]: async () => new Response(null, { status: 500 }) });
    for (let attempt = 1; attempt <= WEBHOOK_MAX_ATTEMPTS; attempt++) await consumeDeliveries([dead!.id], attempt);
    expect((await deliveryRows(doomed.id, next.message.id))[0]).toMatchObject({ status: 'dead', attempts: WEBHOOK_MAX_ATTEMPTS });
  });

  it('a 410 Gone deactivates the subscription: no more deliveries, no ping', async () => {
    const hook = await subscribe('https://hooks.example.test/gone');
    const { message } = await bookedMessage();
    await consumeCrm(message);
    const [row] = await deliveryRows(hook.id, message.id);
    receivers({ [hook.url]: async () => new Response('gone', { status: 410 }) });
    const { result } = await consumeDeliveries([row!.id]);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await deliveryRows(hook.id, message.id))[0]).toMatchObject({ status: 'dead', response_status: 410 });
    const listed = (await call('GET', '/webhooks', { token: admin.token })).json.webhooks.find(
      (w: { id: number }) => w.id === hook.id,
    );
    expect(listed).toMatchObject({ active: false, deactivated_reason: 'gone' });

    const later = await bookedMessage();
    await consumeCrm(later.message);
    expect(await deliveryRows(hook.id, later.message.id)).toEqual([]);
    expectError(await call('POST', `/webhooks/${hook.id}/test`, { token: admin.token }), 409, 'webhook_inactive');
  });

  it('POST /webhooks/:id/test queues a signed ping', async () => {
    const hook = await subscribe('https://hooks.example.test/ping');
    const res = await call('POST', `/webhooks/${hook.id}/test`, { token: admin.token });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ msg: 'Ping queued', delivery: { type: 'ping', status: 'pending', attempts: 0 } });
    const received = receivers({ [hook.url]: async () => new Response('ok') });
    await consumeDeliveries([res.json.delivery.id]);
    const body = JSON.parse(received[0]!.body);
    expect(body).toMatchObject({ id: res.json.delivery.message_id, type: 'ping', webhook: { id: hook.id } });
    expect(received[0]!.headers.get('Ahoum-Event-Id')).toBe(res.json.delivery.message_id);
    expect((await verifyAhoumSignature(hook.secret, received[0]!.headers.get('Ahoum-Signature')!, received[0]!.body)).valid).toBe(
      true,
    );
    expectError(await call('POST', '/webhooks/99999999/test', { token: admin.token }), 404, 'not_found');
  });

  it('the cron re-sends a delivery the queue never got', async () => {
    const hook = await subscribe('https://hooks.example.test/lost', ['event.cancelled']);
    const old = Date.now() - 10 * 60_000;
    const row = await env.DB.prepare(
      `INSERT INTO webhook_deliveries (subscription_id, message_id, type, status, created_at) VALUES (?, ?, 'ping', 'pending', ?) RETURNING id`,
    )
      .bind(hook.id, crypto.randomUUID(), old)
      .first<{ id: number }>();
    await runCron();
    const [after] = (await deliveryRows(hook.id)).filter((d) => d.id === row!.id);
    expect(after!.queued_at).not.toBeNull();
  });
});
