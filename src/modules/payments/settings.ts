import { positiveInt } from '../../lib/settings';
import { razorpaySettings, type RazorpaySettings } from './razorpay';
import { stripeSettings, type StripeSettings } from './stripe';

export interface PaymentSettings {
  razorpay: RazorpaySettings;
  stripe: StripeSettings;
  holdMinutes: number;
}

export function paymentSettings(env: Env): PaymentSettings {
  return {
    razorpay: razorpaySettings(env),
    stripe: stripeSettings(env),
    holdMinutes: positiveInt(env.PAYMENT_HOLD_MINUTES, 15),
  };
}
