import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { bookings, users } from '../../db/schema';
import type { Database } from '../../env';
import { bookingJson, loadBookings } from '../bookings/read-model';

/**
 * One page of an event's bookings (cancelled ones too, with their status) by booking id, each with the booker's id,
 * name and email: `limit + 1` rows, so the caller knows whether more follow.
 */
export async function eventAttendees(db: Database, eventId: number, page: { limit: number; afterId?: number }) {
  const inPage = and(eq(bookings.eventId, eventId), page.afterId === undefined ? undefined : gt(bookings.id, page.afterId));
  const pageUserIds = db
    .select({ id: bookings.userId })
    .from(bookings)
    .where(inPage)
    .orderBy(asc(bookings.id))
    .limit(page.limit + 1);
  const [rows, people] = await Promise.all([
    loadBookings(
      db,
      page.afterId === undefined
        ? { where: 'b.event_id = ?', params: [eventId] }
        : { where: 'b.event_id = ? AND b.id > ?', params: [eventId, page.afterId] },
      { limit: page.limit + 1 },
    ),
    db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .where(inArray(users.id, pageUserIds))
      .orderBy(asc(users.id)),
  ]);
  const byId = new Map(people.map((person) => [person.id, person]));
  return rows.map((row) => ({ ...bookingJson(row, 'staff'), user: byId.get(row.booking.userId)! }));
}
