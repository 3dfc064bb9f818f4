import { createExecutionContext, createMessageBatch } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CrmNotification } from '../../src/modules/crm/messages';
import { CRM_DEAD_LETTER_QUEUE_NAME, handleQueue } from '../../src/queue';
import { bookedMessage } from '../support/api';
import { createUser, outboxRowsFor } from '../support/fixtures';
import { call, expectError } from '../support/http';

afterEach(() => vi.restoreAllMocks());

/** A booking whose CRM message went through the dead-letter queue. */
async function deadNotification() {
  const { message } = await bookedMessage();
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const batch = createMessageBatch(CRM_DEAD_LETTER_QUEUE_NAME, [
    { id: 'dlq-1', timestamp: new Date(), attempts: 1, body: message },
  ]);
  await handleQueue(batch, env, createExecutionContext());
  return message;
}

describe('GET /admin/notifications', () => {
  it('lists dead notifications for an admin, with the message body as sent', async () => {
    const message = await deadNotification();
    const { token } = await createUser('admin');
    const res = await call('GET', '/admin/notifications?status=dead&limit=100', { token });
    expect(res.status).toBe(200);
    const listed = res.json.notifications.find((n: { id: string }) => n.id === message.id);
    expect(listed).toEqual({
      id: message.id,
      type: 'booking.created',
      status: 'dead',
      attempts: 0,
      last_error: null,
      created_at: expect.stringMatching(/Z$/),
      queued_at: expect.stringMatching(/Z$/),
      delivered_at: null,
      dead_at: expect.stringMatching(/Z$/),
      payload: message,
    });
    expect(res.json.notifications.every((n: { status: string }) => n.status === 'dead')).toBe(true);
  });

  it('is 403 for members and facilitators, 401 without a token, 400 for an unknown status', async () => {
    for (const role of ['member', 'facilitator'] as const) {
      const { token } = await createUser(role);
      expectError(await call('GET', '/admin/notifications', { token }), 403, 'forbidden');
    }
    expectError(await call('GET', '/admin/notifications'), 401, 'unauthorized');
    const admin = await createUser('admin');
    expectError(await call('GET', '/admin/notifications?status=lost', { token: admin.token }), 400, 'validation_failed');
    expectError(await call('GET', '/admin/notifications?limit=0', { token: admin.token }), 400, 'validation_failed');
  });
});

describe('POST /admin/notifications/:id/replay', () => {
  it('queues a dead notification again with the same id and body; no request body needed', async () => {
    const message = await deadNotification();
    const { token } = await createUser('admin');
    const sendSpy = vi.spyOn(env.CRM_QUEUE, 'sendBatch');
    const res = await call('POST', `/admin/notifications/${message.id}/replay`, { token });
    expect(res.status).toBe(200);
    expect(res.json.msg).toBe('Notification queued');
    expect(res.json.notification).toMatchObject({ id: message.id, status: 'queued', dead_at: null, payload: message });
    const sent = sendSpy.mock.calls.flatMap(([messages]) => [...messages].map((m) => m.body));
    expect(sent).toEqual([message]);
  });

  it('takes an empty body of any type (as proxies forward a bodyless POST), but refuses a non-JSON one', async () => {
    const message = await deadNotification();
    const { token } = await createUser('admin');
    const path = `/admin/notifications/${message.id}/replay`;
    const empty = await call('POST', path, { token, raw: '', headers: { 'Content-Type': 'text/plain' } });
    expect(empty.status).toBe(200);
    const text = await call('POST', path, { token, raw: 'replay please', headers: { 'Content-Type': 'text/plain' } });
    expectError(text, 415, 'unsupported_media_type');
  });

  it('is 404 for an unknown id, 400 for a malformed one, 403 for a member', async () => {
    const admin = await createUser('admin');
    const member = await createUser();
    expectError(
      await call('POST', `/admin/notifications/${crypto.randomUUID()}/replay`, { token: admin.token }),
      404,
      'not_found',
    );
    expectError(await call('POST', '/admin/notifications/not-a-uuid/replay', { token: admin.token }), 400, 'validation_failed');
    const message = await deadNotification();
    expectError(await call('POST', `/admin/notifications/${message.id}/replay`, { token: member.token }), 403, 'forbidden');
    const [row] = await outboxRowsFor({ bookingIds: [message.booking_id!] });
    expect(row!.status).toBe('dead');
  });
});
