import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Batch } from '../../db/batch';
import { idempotencyKeys } from '../../db/schema';
import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import { sha256Hex } from '../../lib/crypto';

export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;
/** A claim with no answer after this long belongs to a request that died; a retry may take it over. */
const ABANDONED_CLAIM_MS = 60 * 1000;

export interface IdempotentRequest {
  userId: number;
  key: string;
  /** What the key must always come with: method, path and the canonical body. */
  fingerprint: string;
}

export interface Answer {
  status: 201 | 200;
  body: unknown;
}

/**
 * Runs `work` at most once per user and `Idempotency-Key` within 24 hours. The key is claimed with one conditional
 * upsert (so concurrent requests with one key cannot both run), the successful answer is stored and returned again
 * for the same fingerprint; another fingerprint is 422. A failed request releases its key, so it can be retried.
 */
export async function idempotent(
  db: Database,
  request: IdempotentRequest | null,
  work: () => Promise<Answer>,
  /** Rebuilds the answer of a request whose work committed (the key links its booking) but whose answer was lost. */
  recover?: (bookingId: number) => Promise<Answer>,
) {
  if (!request) return work();
  const now = Date.now();
  const requestHash = await sha256Hex(request.fingerprint);
  const owner = and(eq(idempotencyKeys.userId, request.userId), eq(idempotencyKeys.key, request.key));
  const claimed = await db
    .insert(idempotencyKeys)
    .values({ userId: request.userId, key: request.key, requestHash, createdAt: new Date(now) })
    .onConflictDoUpdate({
      target: [idempotencyKeys.userId, idempotencyKeys.key],
      set: { requestHash, bookingId: null, responseStatus: null, responseBody: null, createdAt: new Date(now) },
      setWhere: sql`${idempotencyKeys.createdAt} <= ${now - IDEMPOTENCY_WINDOW_MS}
        OR (${idempotencyKeys.responseStatus} IS NULL AND ${idempotencyKeys.bookingId} IS NULL
          AND ${idempotencyKeys.createdAt} <= ${now - ABANDONED_CLAIM_MS})`,
    })
    .returning({ userId: idempotencyKeys.userId });
  if (claimed.length === 0) return earlierAnswer(db, owner, requestHash, recover);

  let answer: Answer;
  try {
    answer = await work();
  } catch (error) {
    // Released for a retry, unless the work committed a booking before failing (the retry then gets its answer).
    await db
      .delete(idempotencyKeys)
      .where(and(owner, eq(idempotencyKeys.requestHash, requestHash), isNull(idempotencyKeys.bookingId)));
    throw error;
  }
  await db
    .update(idempotencyKeys)
    .set({ responseStatus: answer.status, responseBody: JSON.stringify(answer.body), bookingId: bookingIdOf(answer) })
    .where(and(owner, eq(idempotencyKeys.requestHash, requestHash)));
  return answer;
}

async function earlierAnswer(
  db: Database,
  owner: ReturnType<typeof and>,
  requestHash: string,
  recover?: (bookingId: number) => Promise<Answer>,
): Promise<Answer> {
  const [earlier] = await db.select().from(idempotencyKeys).where(owner);
  if (earlier && earlier.requestHash !== requestHash) {
    throw new ApiError('idempotency_key_reused', 'This Idempotency-Key was already used with another request body');
  }
  if (earlier?.responseStatus && earlier.responseBody) {
    return { status: earlier.responseStatus as Answer['status'], body: JSON.parse(earlier.responseBody) };
  }
  if (earlier?.bookingId && recover) {
    const answer = await recover(earlier.bookingId);
    await db
      .update(idempotencyKeys)
      .set({ responseStatus: answer.status, responseBody: JSON.stringify(answer.body) })
      .where(and(owner, eq(idempotencyKeys.requestHash, requestHash)));
    return answer;
  }
  throw new ApiError(
    'idempotency_key_in_progress',
    'A request with this Idempotency-Key is still being processed; retry shortly',
  );
}

function bookingIdOf(answer: Answer): number | null {
  const booking = (answer.body as { booking?: { id?: unknown } }).booking;
  return typeof booking?.id === 'number' ? booking.id : null;
}

/** Forgets keys older than the 24-hour window (cron), a bounded number at a time. */
export async function expireIdempotencyKeys(db: Database, now: Date, limit = 500) {
  const cutoff = new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS);
  await db.run(sql`DELETE FROM idempotency_keys WHERE rowid IN (
    SELECT rowid FROM idempotency_keys WHERE created_at <= ${cutoff.getTime()} LIMIT ${limit})`);
}

/**
 * Links the booking a batch creates (the user's active booking on the event, booked at the batch's `now`) to the
 * claimed Idempotency-Key, in that batch, so an answer lost after the commit can be rebuilt for the retry instead
 * of a 409.
 */
export function linkIdempotencyKey(batch: Batch, claim: { userId: number; eventId: number; key: string }, now: Date) {
  return batch.sql(
    `UPDATE idempotency_keys SET booking_id = (SELECT id FROM bookings WHERE user_id = ?1 AND event_id = ?2
       AND booked_at = ?3 AND status IN ('confirmed', 'waitlisted'))
     WHERE user_id = ?1 AND key = ?4 AND booking_id IS NULL`,
    claim.userId,
    claim.eventId,
    now.getTime(),
    claim.key,
  );
}
