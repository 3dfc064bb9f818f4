import { asc, eq, inArray } from 'drizzle-orm';
import { bookings, users } from '../../db/schema';
import type { Database } from '../../env';
import { bookingJson, loadBookings } from '../bookings/read-model';

/** Every booking of one event (cancelled ones too, with their status), each with the booker's id, name and email. */
export async function eventAttendees(db: Database, eventId: number) {
  const [rows, people] = await Promise.all([
    loadBookings(db, eq(bookings.eventId, eventId)),
    db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .where(inArray(users.id, db.select({ id: bookings.userId }).from(bookings).where(eq(bookings.eventId, eventId))))
      .orderBy(asc(users.id)),
  ]);
  const byId = new Map(people.map((person) => [person.id, person]));
  return rows.map((row) => ({ ...bookingJson(row, 'staff'), user: byId.get(row.booking.userId)! }));
}
