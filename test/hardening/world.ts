import {
  createBooking,
  createEvent,
  createFacilitatorAccount,
  createUser,
  hoursFromNow,
  type EventFixture,
} from '../support/fixtures';
import { hardeningDb } from './isolated-db';

/**
 * The hardening suites' data, written by the shared factories (test/support/fixtures.ts) into their own D1
 * (`hardeningDb`): no PBKDF2 per account, no routes. Every account's password is PASSWORD; tests mostly act with tokens.
 */

export const inHardeningDb = { db: hardeningDb } as const;

/** A retreat in Rishikesh (coordinates known) three days from now, ten seats, free unless a price is given. */
const HARDENING_EVENT: EventFixture = {
  title: 'Hardening Retreat',
  description: 'Hardening event',
  type: 'Meditation',
  timezone: 'Asia/Kolkata',
  location: 'Rishikesh',
  latitude: 30.0869,
  longitude: 78.2676,
  capacity: 10,
  currency: 'INR',
};

/** An event in the hardening D1; returns its id. */
export async function hardeningEvent(options: EventFixture & { facilitatorId: number }): Promise<number> {
  const event = await createEvent({ ...HARDENING_EVENT, startsAt: hoursFromNow(72), ...options }, inHardeningDb);
  return event.id;
}

/** Everything a suite needs to act as each kind of caller on someone else's data. */
export async function createWorld() {
  const facilitatorAccount = (name: string) => createFacilitatorAccount(name, { ...inHardeningDb, bio: 'Hardening bio' });
  const [member, otherMember, admin, facilitator, otherFacilitator] = await Promise.all([
    createUser('member', { ...inHardeningDb, name: 'Hardening Member' }),
    createUser('member', { ...inHardeningDb, name: 'Hardening Other Member' }),
    createUser('admin', { ...inHardeningDb, name: 'Hardening Admin' }),
    facilitatorAccount('Hardening Facilitator A'),
    facilitatorAccount('Hardening Facilitator B'),
  ]);
  const event = await hardeningEvent({ facilitatorId: facilitator.facilitatorId, capacity: 50 });
  const otherEvent = await hardeningEvent({ facilitatorId: otherFacilitator.facilitatorId, capacity: 50 });
  // An event nobody has booked yet, so generated bookings can succeed.
  const freeEvent = await hardeningEvent({ facilitatorId: facilitator.facilitatorId, capacity: 3 });
  const paidEvent = await hardeningEvent({ facilitatorId: facilitator.facilitatorId, capacity: 3, price: 50_000 });
  const booking = await createBooking(member.id, event, inHardeningDb);
  const otherBooking = await createBooking(otherMember.id, otherEvent, inHardeningDb);
  return {
    member,
    otherMember,
    admin,
    facilitator,
    otherFacilitator,
    event,
    otherEvent,
    freeEvent,
    paidEvent,
    booking,
    otherBooking,
  };
}

export type World = Awaited<ReturnType<typeof createWorld>>;
