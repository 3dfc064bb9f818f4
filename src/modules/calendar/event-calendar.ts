import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import { findEvent, type EventWithFacilitator } from '../events/read-model';
import { calendarText, type CalendarEvent } from './ical';

/** The UID of an event in every calendar we write: stable for the event's life, unique beyond this API. */
export const eventUid = (eventId: number) => `event-${eventId}@ahoum`;

/** Title, description and the facilitator, as calendar text. */
export function eventDescription(event: Pick<EventWithFacilitator, 'description' | 'facilitatorName'>, extra: string[] = []) {
  return [event.description, `With ${event.facilitatorName}`, ...extra].filter(Boolean).join('\n\n');
}

/** The VEVENT of an event as the public sees it. */
export function publicEvent(event: EventWithFacilitator): CalendarEvent {
  return {
    uid: eventUid(event.id),
    revisedAt: event.updatedAt,
    startsAt: event.startsAt,
    endsAt: event.endsAt,
    summary: event.title,
    description: eventDescription(event),
    location: event.location,
    latitude: event.latitude,
    longitude: event.longitude,
    status: event.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
    sequence: event.sequence,
  };
}

/** GET /events/:id/calendar.ics: one VEVENT, cancelled events included (so a calendar that holds it learns of it). */
export async function eventCalendar(db: Database, eventId: number): Promise<string> {
  const event = await findEvent(db, eventId);
  if (!event) throw new ApiError('not_found', 'Event not found');
  return calendarText([publicEvent(event)]);
}
