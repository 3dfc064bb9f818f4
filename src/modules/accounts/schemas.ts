import { z } from 'zod';
import { ledgerSchema, memberPassSchema } from '../passes/schemas';
import { bookingSchema } from '../bookings/schemas';

const email = z
  .string()
  .trim()
  .min(3)
  .max(254)
  .pipe(z.email({ message: 'Must be a valid email address' }));

const newPassword = z
  .string()
  .min(8, 'Password must be at least 8 characters')
  .max(128, 'Password must be at most 128 characters');
const givenPassword = z.string().min(1, 'Password must not be empty').max(128);

export const registerBody = z.object({
  name: z.string().trim().min(1, 'Name must not be empty').max(100),
  email,
  password: newPassword,
});

export const changePasswordBody = z.object({ current_password: givenPassword, new_password: newPassword });
export const forgotPasswordBody = z.object({ email });
export const resetPasswordBody = z.object({ token: z.string().min(1).max(256), new_password: newPassword });
export const deleteAccountBody = z.object({ password: givenPassword });

export const loginBody = z.object({ email, password: givenPassword });

export const refreshBody = z.object({
  refresh_token: z.string().min(1).max(256),
});

export const userSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    email: z.string(),
    role: z.enum(['member', 'facilitator', 'admin']),
    created_at: z.string(),
  })
  .meta({ id: 'User' });

export const sessionSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    refresh_token: z.string(),
    user: userSchema,
  })
  .meta({ id: 'Session' });

const msg = <T extends string>(text: T) => z.object({ msg: z.literal(text) });
export const passwordChangedAnswer = msg('Password changed');
export const resetRequestedAnswer = msg('If that account exists, a reset link is on its way');
export const passwordResetAnswer = msg('Password reset');

const paymentExportSchema = z.object({
  booking_id: z.number().int(),
  provider: z.enum(['razorpay', 'stripe']).nullable(),
  order_id: z.string().nullable(),
  payment_id: z.string().nullable(),
  amount_due: z.number().int().nullable(),
  amount_paid: z.number().int().nullable(),
  currency: z.string(),
  is_paid: z.boolean(),
  refund_id: z.string().nullable(),
  refunded_at: z.string().nullable(),
  provider_events: z.array(z.object({ event_id: z.string(), type: z.string(), received_at: z.string() })),
});

export const accountExportSchema = z.object({
  user: userSchema,
  bookings: z.array(bookingSchema),
  member_passes: z.array(memberPassSchema).describe('The caller’s passes, purchases not paid yet included'),
  ledger: z
    .array(ledgerSchema.shape.entries.element.extend({ member_pass_id: z.number().int() }))
    .describe('Every credit change of those passes, oldest first'),
  payments: z.array(paymentExportSchema),
});
