import { Batch, type BatchResult, type StepRef } from '../../db/batch';
import { ACTIVE_BOOKING_STATUSES_SQL } from '../../db/statuses';
import type { CrmNotification, CrmNotificationType } from './messages';

/**
 * The transactional outbox of CRM notifications. Each message is built by an `INSERT INTO outbox ... SELECT` added to
 * the same D1 batch as the change it reports, so the change and its notification commit or fail together. `commit`
 * runs such a batch and sends what it wrote to the queue; the cron re-sends rows whose send was lost.
 */

/** A random (version 4) UUID computed by SQLite, for statements that write one message per selected row. */
const UUID_SQL = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
  || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;

/** Epoch milliseconds as the same ISO 8601 string (`...T09:30:00.000Z`) that `Date.toISOString()` gives. */
export const isoSql = (column: string) =>
  `strftime('%Y-%m-%dT%H:%M:%S', ${column} / 1000, 'unixepoch') || '.' || printf('%03d', ${column} % 1000) || 'Z'`;

const EVENT_JSON_SQL = `json_object('id', e.id, 'title', e.title, 'date', ${isoSql('e.starts_at')})`;
const FACILITATOR_JSON_SQL = `json_object('id', f.id, 'name', f.name, 'crm_id', f.crm_id)`;

type MessageRow = { id: string; payload: string };

/** The steps of each batch whose RETURNING rows are outbox messages; `commit` collects them. */
const messageSteps = new WeakMap<Batch, StepRef<MessageRow>[]>();

function addMessageStep(batch: Batch, statement: D1PreparedStatement) {
  const step = batch.add<MessageRow>(statement);
  messageSteps.set(batch, [...(messageSteps.get(batch) ?? []), step]);
  return step;
}

export interface BookingMessageOptions {
  /** SQL condition on `b` (bookings), `u` (users), `e` (events) and `f` (facilitators), with `?` placeholders. */
  where: string;
  params?: unknown[];
  occurredAt: Date;
  /** The status the CRM should see; defaults to the row's status when the statement runs. */
  bookingStatus?: string;
  cancelReason?: string;
  /** Extra top-level keys of the body (payments: payment_status, payment_id). */
  extra?: Record<string, string | number | null>;
  /**
   * Extra top-level keys computed per booking: trusted SQL expressions (no placeholders) over `b`, `u`, `e` and `f`
   * that give JSON text, e.g. `json_quote(b.refund_amount)` or `'true'`.
   */
  extraJson?: Record<string, string>;
}

const keyOf = (key: string) => key.replace(/[^a-z_]/g, '');

/**
 * One message of `type` per booking matched by `where`. The selection is materialised first, so each message's
 * uuid is computed once and is both the row id and the body's `id`.
 */
export function bookingMessages(batch: Batch, type: CrmNotificationType, options: BookingMessageOptions) {
  const extra: Record<string, string | number | null> = { ...options.extra };
  if (options.cancelReason) extra.cancel_reason = options.cancelReason;
  const extraJson = Object.entries(options.extraJson ?? {});
  const extraSql =
    Object.keys(extra)
      .map((key) => `, '${keyOf(key)}', ?`)
      .join('') + extraJson.map(([key]) => `, '${keyOf(key)}', json(x_${keyOf(key)})`).join('');
  const extraColumns = extraJson.map(([key, expression]) => `, ${expression} AS x_${keyOf(key)}`).join('');
  const statement = batch.d1
    .prepare(
      `INSERT INTO outbox (id, type, payload, status, created_at, queued_at)
       WITH picked AS MATERIALIZED (
         SELECT ${UUID_SQL} AS message_id, b.id AS booking_id, b.status AS booking_status,
           json_object('id', u.id, 'name', u.name, 'email', u.email) AS user_json,
           ${EVENT_JSON_SQL} AS event_json, ${FACILITATOR_JSON_SQL} AS facilitator_json${extraColumns}
         FROM bookings b
         JOIN users u ON u.id = b.user_id
         JOIN events e ON e.id = b.event_id
         JOIN facilitators f ON f.id = e.facilitator_id
         WHERE ${options.where}
       )
       SELECT message_id, ?, json_object('id', message_id, 'type', ?, 'occurred_at', ?, 'booking_id', booking_id,
         'booking_status', coalesce(?, booking_status), 'user', json(user_json), 'event', json(event_json),
         'facilitator', json(facilitator_json)${extraSql}), 'queued', ?, ?
       FROM picked ORDER BY booking_id
       RETURNING id, payload`,
    )
    .bind(
      ...(options.params ?? []),
      type,
      type,
      options.occurredAt.toISOString(),
      options.bookingStatus ?? null,
      ...Object.values(extra),
      options.occurredAt.getTime(),
      options.occurredAt.getTime(),
    );
  return addMessageStep(batch, statement);
}

/**
 * One event-level message (`event.rescheduled`, `event.cancelled`) per event matched by `where` (on `e`, with `?`
 * placeholders), listing the ids of its active bookings at the moment the statement runs. The selection is
 * materialised first, so each message's uuid is computed once and is both the row id and the body's `id`.
 */
export function eventMessages(
  batch: Batch,
  type: CrmNotificationType,
  options: { where: string; params: unknown[]; occurredAt: Date; reason?: string },
) {
  const reasonSql = options.reason ? `, 'reason', ?` : '';
  const statement = batch.d1
    .prepare(
      `INSERT INTO outbox (id, type, payload, status, created_at, queued_at)
       WITH picked AS MATERIALIZED (
         SELECT ${UUID_SQL} AS message_id, e.id AS event_id, ${EVENT_JSON_SQL} AS event_json,
           ${FACILITATOR_JSON_SQL} AS facilitator_json,
           (SELECT json_group_array(id) FROM (SELECT id FROM bookings
             WHERE event_id = e.id AND status IN ${ACTIVE_BOOKING_STATUSES_SQL} ORDER BY id)) AS booking_ids
         FROM events e JOIN facilitators f ON f.id = e.facilitator_id
         WHERE ${options.where}
       )
       SELECT message_id, ?, json_object('id', message_id, 'type', ?, 'occurred_at', ?, 'booking_id', NULL, 'user', NULL,
         'event', json(event_json), 'facilitator', json(facilitator_json), 'booking_ids', json(booking_ids)${reasonSql}),
         'queued', ?, ?
       FROM picked ORDER BY event_id
       RETURNING id, payload`,
    )
    .bind(
      ...options.params,
      type,
      type,
      options.occurredAt.toISOString(),
      ...(options.reason ? [options.reason] : []),
      options.occurredAt.getTime(),
      options.occurredAt.getTime(),
    );
  return addMessageStep(batch, statement);
}

/**
 * `pass.purchased` for the member pass ?1 if the statement just before activated it (changes() = 1): the buyer, the
 * pass and the payment. There is no event or facilitator: `event` and `facilitator` are null.
 */
export function passPurchasedMessage(batch: Batch, memberPassId: number, occurredAt: Date) {
  const statement = batch.d1
    .prepare(
      `INSERT INTO outbox (id, type, payload, status, created_at, queued_at)
       WITH picked AS MATERIALIZED (
         SELECT ${UUID_SQL} AS message_id, mp.id AS pass_id, json_object('id', u.id, 'name', u.name, 'email', u.email) AS user_json,
           json_object('id', mp.id, 'pass_id', mp.pass_id, 'name', mp.name, 'credits_total', mp.credits_total,
             'unlimited', json(CASE WHEN mp.unlimited THEN 'true' ELSE 'false' END),
             'expires_at', ${isoSql('mp.expires_at')}) AS pass_json,
           mp.payment_id AS payment_id, mp.amount_paid AS amount_paid, mp.currency AS currency
         FROM member_passes mp JOIN users u ON u.id = mp.user_id
         WHERE changes() = 1 AND mp.id = ?1
       )
       SELECT message_id, 'pass.purchased', json_object('id', message_id, 'type', 'pass.purchased', 'occurred_at', ?2,
         'booking_id', NULL, 'user', json(user_json), 'event', NULL, 'facilitator', NULL, 'member_pass', json(pass_json),
         'payment_status', 'paid', 'payment_id', payment_id, 'amount_paid', amount_paid, 'currency', currency), 'queued', ?3, ?3
       FROM picked
       RETURNING id, payload`,
    )
    .bind(memberPassId, occurredAt.toISOString(), occurredAt.getTime());
  return addMessageStep(batch, statement);
}

/**
 * Runs the batch (atomically) and sends the outbox messages it wrote to the CRM queue: the one place messages are
 * published after a change. Returns the batch's results and the messages.
 *
 * The batch writes its messages as `queued` (queued_at = now), so a successful send costs no further D1 round trip;
 * a failed send turns them back to `pending`, which the cron re-sends within minutes. If the Worker dies between the
 * batch and the send, the rows stay `queued` and the cron re-sends them once they are RESEND_QUEUED_AFTER_MS old
 * (delivery.ts): late, never lost.
 */
export async function commit(batch: Batch, crm: Queue): Promise<BatchResult & { messages: CrmNotification[] }> {
  const result = await batch.run();
  const messages = (messageSteps.get(batch) ?? []).flatMap((step) =>
    result.rows(step).map((row) => JSON.parse(String(row.payload)) as CrmNotification),
  );
  await sendToQueue(batch.d1, crm, messages, 'written-queued');
  return { ...result, messages };
}

const SEND_BATCH_LIMIT = 100; // Queue.sendBatch takes at most 100 messages

/**
 * Sends outbox rows written earlier (the cron's re-sends, an admin's replay) to the CRM queue and marks them `queued`.
 * A failed send is logged and leaves them as they were, for the cron.
 */
export async function publishOutbox(d1: D1Database, queue: Queue, messages: CrmNotification[], now = new Date()) {
  await sendToQueue(d1, queue, messages, 'mark-queued', now);
}

/**
 * `mark-queued`: after a send, the rows become `queued` (one UPDATE). `written-queued`: the rows were written `queued`
 * by their batch; only a failed send touches them, back to `pending`. A failed send never fails the request whose
 * change is already committed.
 */
async function sendToQueue(
  d1: D1Database,
  queue: Queue,
  messages: CrmNotification[],
  mode: 'mark-queued' | 'written-queued',
  now = new Date(),
) {
  for (let start = 0; start < messages.length; start += SEND_BATCH_LIMIT) {
    const chunk = messages.slice(start, start + SEND_BATCH_LIMIT);
    const ids = chunk.map((m) => m.id);
    const inIds = `id IN (${ids.map(() => '?').join(', ')})`;
    try {
      await queue.sendBatch(chunk.map((body) => ({ body, contentType: 'json' as const })));
      if (mode === 'mark-queued') {
        await d1
          .prepare(`UPDATE outbox SET status = 'queued', queued_at = ? WHERE status IN ('pending', 'queued') AND ${inIds}`)
          .bind(now.getTime(), ...ids)
          .run();
      }
    } catch (error) {
      console.warn(
        JSON.stringify({ level: 'warn', msg: 'crm outbox send failed; the cron will re-send', ids, error: String(error) }),
      );
      if (mode === 'written-queued') {
        // Only rows the consumer has not touched (a send that failed after the queue took the messages is possible).
        await d1
          .prepare(`UPDATE outbox SET status = 'pending' WHERE status = 'queued' AND attempts = 0 AND ${inIds}`)
          .bind(...ids)
          .run()
          .catch(() => undefined);
      }
    }
  }
}
