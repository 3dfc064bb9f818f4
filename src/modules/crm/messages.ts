export const CRM_NOTIFICATION_TYPES = [
  'booking.created',
  'booking.cancelled',
  'booking.promoted',
  'booking.paid',
  'booking.refunded',
  'event.rescheduled',
  'event.cancelled',
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
  event: { id: number; title: string; date: string };
  facilitator: { id: number; name: string; crm_id: string };
  /** booking.*: the booking's status after the change (`waitlisted` tells a waitlist entry from a seat). */
  booking_status?: string;
  /** booking.cancelled: user_cancelled, admin_cancelled or event_cancelled. */
  cancel_reason?: string;
  payment_status?: 'paid' | 'refunded' | 'failed';
  payment_id?: string | null;
  /** event.rescheduled / event.cancelled: the bookings affected. */
  booking_ids?: number[];
}
