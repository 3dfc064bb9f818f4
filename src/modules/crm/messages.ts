export const CRM_NOTIFICATION_TYPES = [
  'booking.created',
  'booking.cancelled',
  'booking.promoted',
  'booking.paid',
  'booking.refunded',
  'event.rescheduled',
  'event.cancelled',
  'event.confirmed',
  'booking.checked_in',
  'booking.no_show',
  'booking.reminder',
  'booking.offered',
  'booking.transferred',
  'pass.purchased',
] as const;
export type CrmNotificationType = (typeof CRM_NOTIFICATION_TYPES)[number];

/**
 * One CRM notification: the predecessor's payload (`booking_id`, `user`, `event`, `facilitator`) extended with an id
 * the CRM uses to drop duplicates (delivery is at least once), the type and the time.
 */
export interface CrmNotification {
  id: string;
  type: CrmNotificationType;
  occurred_at: string;
  booking_id: number | null;
  user: { id: number; name: string; email: string } | null;
  /** null only for pass.purchased (a purchase is about no event). */
  event: { id: number; title: string; date: string } | null;
  facilitator: { id: number; name: string; crm_id: string } | null;
  /** pass.purchased: the member pass bought. */
  member_pass?: {
    id: number;
    pass_id: number;
    name: string;
    credits_total: number | null;
    unlimited: boolean;
    expires_at: string;
  };
  amount_paid?: number;
  currency?: string;
  /** booking.*: the booking's status after the change (`waitlisted` tells a waitlist entry from a seat). */
  booking_status?: string;
  /** booking.cancelled: user_cancelled, admin_cancelled, event_cancelled, min_attendance_not_met (payments add theirs). */
  cancel_reason?: string;
  /** booking.cancelled: a cancel by its user from the policy's cut-off on, and what it refunds (null: nothing paid). */
  late_cancel?: boolean;
  refund_amount?: number | null;
  /** booking.checked_in: when. */
  attended_at?: string;
  /** booking.reminder: how many hours before the start this reminder is. */
  reminder_hours?: number;
  /** booking.offered: until when the seat is held for the claim. */
  offer_expires_at?: string;
  /** booking.transferred: the booking it was transferred from (the message is about the new one). */
  transferred_from?: number;
  /** event.cancelled: why (event_cancelled by its organiser or an admin, or min_attendance_not_met). */
  reason?: string;
  payment_status?: 'paid' | 'refunded' | 'failed';
  payment_id?: string | null;
  /** event.rescheduled / event.cancelled: the bookings affected. */
  booking_ids?: number[];
}
