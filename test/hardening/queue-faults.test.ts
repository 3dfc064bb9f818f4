import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { handleScheduled } from '../../src/scheduled';
import { RESEND_PENDING_AFTER_MS } from '../../src/services/crm-delivery';
import { createWorld, type World } from './actors';
import { hardCall } from './client';
import { recordingQueue } from './instrumented-d1';
import { hardeningDb, prepareHardeningDb } from './isolated-db';

/**
 * The CRM queue refusing sends (a Queues outage) while bookings change: the request still succeeds (its change is
 * committed), the message stays in the outbox as `pending`, and the cron sends it once the queue is back.
 */

beforeAll(prepareHardeningDb);

async function outboxRowsFor(bookingId: number) {
  const { results } = await hardeningDb
    .prepare(`SELECT id, type, status FROM outbox WHERE json_extract(payload, '$.booking_id') = ? ORDER BY created_at, rowid`)
    .bind(bookingId)
    .all<{ id: string; type: string; status: string }>();
  return results;
}

async function runCron(at: number) {
  const crm = recordingQueue();
  const jobs = recordingQueue();
  const ctx = createExecutionContext();
  await handleScheduled(
    createScheduledController({ scheduledTime: new Date(at), cron: '*/5 * * * *' }),
    { ...env, DB: hardeningDb, CRM_QUEUE: crm.queue, JOBS_QUEUE: jobs.queue },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return crm.sent as Array<{ id: string; type: string; booking_id: number }>;
}

describe('the CRM queue is down', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  it('a booking still succeeds, its booking.created stays pending, and the cron sends it when the queue is back', async () => {
    const res = await hardCall('POST', '/book', {
      token: world.otherMember.token,
      body: { event_id: world.freeEvent },
      queueDown: true,
    });
    expect(res.status).toBe(201);
    expect(res.crm).toEqual([]);
    const bookingId = res.json.booking.id as number;
    const [row] = await outboxRowsFor(bookingId);
    expect(row).toMatchObject({ type: 'booking.created', status: 'pending' });

    // Before the resend delay the cron leaves it (the request's own send might still be under way).
    expect((await runCron(Date.now())).filter((m) => m.booking_id === bookingId)).toEqual([]);
    const sent = (await runCron(Date.now() + RESEND_PENDING_AFTER_MS + 1000)).filter((m) => m.booking_id === bookingId);
    expect(sent).toEqual([expect.objectContaining({ id: row!.id, type: 'booking.created', booking_id: bookingId })]);
    expect((await outboxRowsFor(bookingId))[0]).toMatchObject({ id: row!.id, status: 'queued' });
  });

  it('a cancellation still succeeds and its booking.cancelled is kept for the cron', async () => {
    const res = await hardCall('DELETE', `/cancel-booking/${world.booking}`, { token: world.member.token, queueDown: true });
    expect(res.status).toBe(200);
    expect(res.json.booking.status).toBe('cancelled');
    const rows = await outboxRowsFor(world.booking);
    expect(rows.filter((r) => r.type === 'booking.cancelled')).toEqual([
      expect.objectContaining({ type: 'booking.cancelled', status: 'pending' }),
    ]);
  });

  it('with the queue up, the same booking is sent at once and marked queued', async () => {
    const other = await createWorld();
    const res = await hardCall('POST', '/book', { token: other.otherMember.token, body: { event_id: other.freeEvent } });
    expect(res.status).toBe(201);
    expect(res.crm).toEqual([expect.objectContaining({ type: 'booking.created', booking_id: res.json.booking.id })]);
    expect((await outboxRowsFor(res.json.booking.id))[0]).toMatchObject({ status: 'queued' });
  });
});
