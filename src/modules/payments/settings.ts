import { waitlistRules, type WaitlistRules } from '../bookings/waitlist';
import { positiveInt } from '../../lib/settings';
import { razorpaySettings, type RazorpaySettings } from './razorpay';
import { stripeSettings, type StripeSettings } from './stripe';

export interface PaymentSettings {
  razorpay: RazorpaySettings;
  stripe: StripeSettings;
  holdMinutes: number;
  /** Where a seat freed by an expired hold goes (bookings/waitlist.ts). */
  waitlist: WaitlistRules;
}

export function paymentSettings(env: Env): PaymentSettings {
  return {
    razorpay: razorpaySettings(env),
    stripe: stripeSettings(env),
    holdMinutes: positiveInt(env.PAYMENT_HOLD_MINUTES, 15),
    waitlist: waitlistRules(env),
  };
}
