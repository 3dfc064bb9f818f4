import type { CrmNotification, CrmNotificationType } from './messages';

/**
 * The transactional outbox of CRM notifications. Each message is built by an `INSERT INTO outbox ... SELECT` that runs
 * in the same D1 batch as the change it reports, so the change and its notification commit or fail together; the
 * rows are sent to the queue after the batch (`publishOutbox`) and re-sent by the cron if that send is lost.
 */

export const ACTIVE_BOOKING_STATUSES_SQL = `('confirmed', 'waitlisted', 'pending_payment')`;

/** A random (version 4) UUID computed by SQLite, for statements that write one message per selected row. */
const UUID_SQL = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
  || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`;

/** Epoch milliseconds as the same ISO 8601 string (`...T09:30:00.000Z`) that `Date.toISOString()` gives. */
const isoSql = (column: string) =>
  `strftime('%Y-%m-%dT%H:%M:%S', ${column} / 1000, 'unixepoch') || '.' || printf('%03d', ${column} % 1000) || 'Z'`;

const EVENT_JSON_SQL = `json_object('id', e.id, 'title', e.title, 'date', ${isoSql('e.starts_at')})`;
const FACILITATOR_JSON_SQL = `json_object('id', f.id, 'name', f.name, 'crm_id', f.crm_id)`;

/** Statements whose RETURNING rows are outbox messages; `runWithOutbox` collects them. */
const messageStatements = new WeakSet<D1PreparedStatement>();

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
}

/**
 * One message of `type` per booking matched by `where`. The selection is materialised first, so each message's
 * uuid is computed once and is both the row id and the body's `id`.
 */
export function bookingMessages(d1: D1Database, type: CrmNotificationType, options: BookingMessageOptions) {
  const extra: Record<string, string | number | null> = { ...options.extra };
  if (options.cancelReason) extra.cancel_reason = options.cancelReason;
  const extraSql = Object.keys(extra)
    .map((key) => `, '${key.replace(/[^a-z_]/g, '')}', ?`)
    .join('');
  const statement = d1
    .prepare(
      `INSERT INTO outbox (id, type, payload, status, created_at)
       WITH picked AS MATERIALIZED (
         SELECT ${UUID_SQL} AS message_id, b.id AS booking_id, b.status AS booking_status,
           json_object('id', u.id, 'name', u.name, 'email', u.email) AS user_json,
           ${EVENT_JSON_SQL} AS event_json, ${FACILITATOR_JSON_SQL} AS facilitator_json
         FROM bookings b
         JOIN users u ON u.id = b.user_id
         JOIN events e ON e.id = b.event_id
         JOIN facilitators f ON f.id = e.facilitator_id
         WHERE ${options.where}
       )
       SELECT message_id, ?, json_object('id', message_id, 'type', ?, 'occurred_at', ?, 'booking_id', booking_id,
         'booking_status', coalesce(?, booking_status), 'user', json(user_json), 'event', json(event_json),
         'facilitator', json(facilitator_json)${extraSql}), 'pending', ?
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
    );
  messageStatements.add(statement);
  return statement;
}

/**
 * One event-level message (`event.rescheduled`, `event.cancelled`) listing the ids of the event's active bookings
 * at the moment the statement runs. `condition` (on `e`) lets a batch write it only when its change applies.
 */
export function eventMessage(
  d1: D1Database,
  type: CrmNotificationType,
  options: { eventId: number; occurredAt: Date; condition?: string; params?: unknown[] },
) {
  const id = crypto.randomUUID();
  const statement = d1
    .prepare(
      `INSERT INTO outbox (id, type, payload, status, created_at)
       SELECT ?, ?, json_object('id', ?, 'type', ?, 'occurred_at', ?, 'booking_id', NULL, 'user', NULL,
         'event', ${EVENT_JSON_SQL}, 'facilitator', ${FACILITATOR_JSON_SQL},
         'booking_ids', json((SELECT json_group_array(id) FROM (SELECT id FROM bookings
           WHERE event_id = e.id AND status IN ${ACTIVE_BOOKING_STATUSES_SQL} ORDER BY id)))), 'pending', ?
       FROM events e JOIN facilitators f ON f.id = e.facilitator_id
       WHERE e.id = ? AND (${options.condition ?? '1'})
       RETURNING id, payload`,
    )
    .bind(
      id,
      type,
      id,
      type,
      options.occurredAt.toISOString(),
      options.occurredAt.getTime(),
      options.eventId,
      ...(options.params ?? []),
    );
  messageStatements.add(statement);
  return statement;
}

/** A raw statement, or a drizzle query builder (turned into one, so both kinds share one batch). */
export type BatchStep = D1PreparedStatement | { toSQL(): { sql: string; params: unknown[] } };

function toStatement(d1: D1Database, step: BatchStep): D1PreparedStatement {
  if (!('toSQL' in step)) return step;
  const query = step.toSQL();
  return d1.prepare(query.sql).bind(...query.params);
}

/** Runs one atomic batch and returns its results with the outbox messages it wrote. */
export async function runWithOutbox(d1: D1Database, steps: BatchStep[]) {
  const statements = steps.map((step) => toStatement(d1, step));
  const results = await d1.batch<Record<string, unknown>>(statements);
  const messages = statements.flatMap((statement, i) =>
    messageStatements.has(statement)
      ? (results[i]?.results ?? []).map((row) => JSON.parse(String(row.payload)) as CrmNotification)
      : [],
  );
  return { results, messages };
}

const SEND_BATCH_LIMIT = 100; // Queue.sendBatch takes at most 100 messages

/**
 * Sends written outbox rows to the CRM queue and marks them `queued`. A failed send is logged and leaves the rows
 * `pending` for the cron to re-send; it never fails the request whose change is already committed.
 */
export async function publishOutbox(d1: D1Database, queue: Queue, messages: CrmNotification[], now = new Date()) {
  for (let start = 0; start < messages.length; start += SEND_BATCH_LIMIT) {
    const chunk = messages.slice(start, start + SEND_BATCH_LIMIT);
    try {
      await queue.sendBatch(chunk.map((body) => ({ body, contentType: 'json' as const })));
      const ids = chunk.map((m) => m.id);
      await d1
        .prepare(
          `UPDATE outbox SET status = 'queued', queued_at = ?
           WHERE status IN ('pending', 'queued') AND id IN (${ids.map(() => '?').join(', ')})`,
        )
        .bind(now.getTime(), ...ids)
        .run();
    } catch (error) {
      console.warn(
        JSON.stringify({
          level: 'warn',
          msg: 'crm outbox send failed; the cron will re-send',
          ids: chunk.map((m) => m.id),
          error: String(error),
        }),
      );
    }
  }
}
