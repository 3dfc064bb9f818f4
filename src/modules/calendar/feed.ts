import { and, eq, gte, inArray, asc } from 'drizzle-orm';
import { bookings, calendarFeeds, events, facilitators } from '../../db/schema';
import type { CurrentUser, Database } from '../../env';
import { ApiError } from '../../http/errors';
import { toBase64Url } from '../../lib/base64';
import { sha256Hex } from '../../lib/crypto';
import { eventWithFacilitatorColumns, type EventWithFacilitator } from '../events/read-model';
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

/**
 * GET /calendar/<token>.ics: the owner's bookings (confirmed, waitlisted, offered; cancelled ones as CANCELLED) of
 * events from FEED_PAST_DAYS ago on, and for a facilitator its own events. Two bounded queries on indexed columns.
 */
export async function feedCalendar(db: Database, token: string, now: Date): Promise<string> {
  const feed = await db.query.calendarFeeds.findFirst({ where: eq(calendarFeeds.tokenHash, await sha256Hex(token)) });
  if (!feed) throw new ApiError('not_found', 'No calendar feed has this address (a newer one may have replaced it)');
  const since = new Date(now.getTime() - FEED_PAST_DAYS * DAY_MS);
  const [booked, own] = await Promise.all([
    db
      .select({
        booking: {
          id: bookings.id,
          status: bookings.status,
          updatedAt: bookings.updatedAt,
          offerExpiresAt: bookings.offerExpiresAt,
        },
        event: eventWithFacilitatorColumns,
      })
      .from(bookings)
      .innerJoin(events, eq(events.id, bookings.eventId))
      .innerJoin(facilitators, eq(facilitators.id, events.facilitatorId))
      .where(and(eq(bookings.userId, feed.userId), inArray(bookings.status, FEED_BOOKING_STATUSES), gte(events.startsAt, since)))
      .orderBy(asc(events.startsAt), asc(bookings.id))
      .limit(FEED_MAX_ITEMS),
    db
      .select(eventWithFacilitatorColumns)
      .from(events)
      .innerJoin(facilitators, eq(facilitators.id, events.facilitatorId))
      .where(and(eq(facilitators.userId, feed.userId), gte(events.startsAt, since)))
      .orderBy(asc(events.startsAt), asc(events.id))
      .limit(FEED_MAX_ITEMS),
  ]);
  const items = [
    ...booked.map(({ booking, event }) => bookingEvent(booking as Parameters<typeof bookingEvent>[0], event)),
    ...own.map(ownEvent),
  ];
  return calendarText(items, { name: 'Ahoum', refreshMinutes: FEED_REFRESH_MINUTES });
}
