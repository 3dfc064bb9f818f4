import { ownerOnly } from '../../http/ownership';

/** Claim and transfer act on a booking as its user (an admin included: it is not theirs). */
export const ownBookingOnly = ownerOnly('SELECT user_id FROM bookings WHERE id = ?', 'Booking');
