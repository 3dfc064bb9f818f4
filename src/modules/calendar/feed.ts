import { rowReader } from '../../db/row-reader';
import { bookings, calendarFeeds } from '../../db/schema';
import type { CurrentUser, Database } from '../../env';
import { ApiError } from '../../http/errors';
import { toBase64Url } from '../../lib/base64';
import { sha256Hex } from '../../lib/crypto';
import { EVENT_SQL, readEvent, type EventWithFacilitator } from '../events/read-model';
import { eventDescription, eventUid, publicEvent } from './event-calendar';
import { calendarText, type CalendarEvent } from './ical';

const DAY_MS = 86_400_000;
/** The feed reaches back this far: last month's classes stay visible, older ones drop off. */
export const FEED_PAST_DAYS = 30;
/** Each list of the feed is bounded; a member with more than this many bookings sees the soonest (past included). */
export const FEED_MAX_ITEMS = 500;
/** What calendar apps are told about refreshing (Google and Apple decide themselves; this is the hint they read). */
const FEED_REFRESH_MINUTES = 60;

const FEED_BOOKING_STATUSES = ['confirmed', 'waitlisted', 'offered', 'cancelled'] as const;
type FeedBookingStatus = (typeof FEED_BOOKING_STATUSES)[number];

/**
 * POST /me/calendar-feed: a new 256-bit token for the caller, replacing the old one (whose URL then answers 404).
 * Only its SHA-256 is stored, like refresh tokens: a leaked database does not give anyone's calendar away.
 */
export async function issueFeedToken(db: Database, user: CurrentUser): Promise<string> {
  const token = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const tokenHash = await sha256Hex(token);
  await db
    .insert(calendarFeeds)
    .values({ userId: user.id, tokenHash, createdAt: new Date() })
    .onConflictDoUpdate({ target: calendarFeeds.userId, set: { tokenHash, createdAt: new Date() } });
  return token;
}

/** Seats offered or waitlisted are not a place yet: TENTATIVE. Ranks keep SEQUENCE growing as a booking moves on. */
const STATUS_RANK: Record<FeedBookingStatus, number> = { waitlisted: 0, offered: 0, confirmed: 1, cancelled: 2 };

function bookingEvent(
  booking: { id: number; status: FeedBookingStatus; updatedAt: Date; offerExpiresAt: Date | null },
  event: EventWithFacilitator,
): CalendarEvent {
  const cancelled = booking.status === 'cancelled' || event.status === 'cancelled';
  const note =
    booking.status === 'waitlisted'
      ? ' (waitlist)'
      : booking.status === 'offered'
        ? ` (seat offered until ${booking.offerExpiresAt?.toISOString() ?? 'the start'})`
        : '';
  return {
    ...publicEvent(event),
    uid: `booking-${booking.id}@ahoum`,
    revisedAt: new Date(Math.max(event.updatedAt.getTime(), booking.updatedAt.getTime())),
    summary: `${event.title}${note}`,
    description: eventDescription(event, [`Booking #${booking.id}: ${booking.status}`]),
    status: cancelled ? 'CANCELLED' : booking.status === 'confirmed' ? 'CONFIRMED' : 'TENTATIVE',
    sequence: event.sequence + (cancelled ? STATUS_RANK.cancelled : STATUS_RANK[booking.status]),
  };
}

/** A facilitator's own event, with how many seats are taken. */
function ownEvent(event: EventWithFacilitator): CalendarEvent {
  const booked = event.capacity === null ? `${event.bookedCount} booked` : `${event.bookedCount} of ${event.capacity} booked`;
  return {
    ...publicEvent(event),
    uid: eventUid(event.id),
    summary: `${event.title} (${booked})`,
    description: eventDescription(event, [`Booked: ${booked}`]),
  };
}

const bookingColumns = rowReader(bookings, 'b');
/** The owner of the feed with this token hash (?1). */
const FEED_OWNER = '(SELECT user_id FROM calendar_feeds WHERE token_hash = ?1)';

/**
 * GET /calendar/<token>.ics: the owner's bookings (confirmed, waitlisted, offered; cancelled ones as CANCELLED) of
 * events from FEED_PAST_DAYS ago on, and for a facilitator its own events. One batch: the feed, and two bounded
 * queries on indexed columns that find its owner by the token themselves.
 */
export async function feedCalendar(db: Database, token: string, now: Date): Promise<string> {
  const params = [await sha256Hex(token), now.getTime() - FEED_PAST_DAYS * DAY_MS, FEED_MAX_ITEMS];
  const statuses = FEED_BOOKING_STATUSES.map((status) => `'${status}'`).join(', ');
  const [feed, booked, own] = await db.$client.batch<Record<string, unknown>>([
    db.$client.prepare('SELECT user_id FROM calendar_feeds WHERE token_hash = ?1').bind(...params.slice(0, 1)),
    db.$client
      .prepare(
        `SELECT ${bookingColumns.columns}, ${EVENT_SQL.columns}
         FROM bookings b JOIN events e ON e.id = b.event_id JOIN facilitators f ON f.id = e.facilitator_id
         WHERE b.user_id = ${FEED_OWNER} AND b.status IN (${statuses}) AND e.starts_at >= ?2
         ORDER BY e.starts_at, b.id LIMIT ?3`,
      )
      .bind(...params),
    db.$client
      .prepare(
        `SELECT ${EVENT_SQL.columns} FROM ${EVENT_SQL.from}
         WHERE f.user_id = ${FEED_OWNER} AND e.starts_at >= ?2 ORDER BY e.starts_at, e.id LIMIT ?3`,
      )
      .bind(...params),
  ]);
  if (!feed?.results.length) {
    throw new ApiError('not_found', 'No calendar feed has this address (a newer one may have replaced it)');
  }
  const items = [
    ...booked!.results.map((row) => bookingEvent(bookingColumns.read(row) as Parameters<typeof bookingEvent>[0], readEvent(row))),
    ...own!.results.map((row) => ownEvent(readEvent(row))),
  ];
  return calendarText(items, { name: 'Ahoum', refreshMinutes: FEED_REFRESH_MINUTES });
}
