import { z } from 'zod';
import { MEMBER_PASS_STATUSES, PAYMENT_PROVIDERS } from '../../db/schema';
import { eventFields } from '../events/schemas';
import { voucherCode } from '../payments/schemas';

const eventTypes = z
  .array(eventFields.type)
  .min(1)
  .max(50)
  .nullable()
  .describe('The event types (any case) the pass books; null or absent for any');

export const createPassBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    credits: z.number().int().min(1).max(1000).optional().describe('Classes in the pack; or unlimited: true'),
    unlimited: z.boolean().optional().describe('A membership: any number of classes until it expires'),
    price: eventFields.price,
    currency: eventFields.currency.optional(),
    valid_days: z.number().int().min(1).max(730),
    event_types: eventTypes.optional(),
  })
  .refine((body) => (body.credits !== undefined) !== (body.unlimited === true), {
    message: 'Give credits (1-1000) or unlimited: true, not both',
    path: ['credits'],
  })
  .meta({ id: 'PassCreate' });

export const updatePassBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    price: eventFields.price,
    valid_days: z.number().int().min(1).max(730),
    event_types: eventTypes,
    active: z.boolean().describe('false retires the product: no new purchases; holders keep their passes'),
  })
  .partial()
  .meta({ id: 'PassUpdate' });

export const purchaseBody = z
  .object({ provider: z.enum(PAYMENT_PROVIDERS), voucher_code: voucherCode.optional() })
  .meta({ id: 'PassPurchase' });

export const passSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    credits: z.number().int().nullable(),
    unlimited: z.boolean(),
    price: z.number().int(),
    currency: z.string(),
    valid_days: z.number().int(),
    event_types: z.array(z.string()).nullable(),
    active: z.boolean(),
    created_at: z.string(),
  })
  .meta({ id: 'Pass' });

export const memberPassSchema = z
  .object({
    id: z.number().int(),
    pass_id: z.number().int(),
    name: z.string(),
    credits_total: z.number().int().nullable(),
    credits_left: z.number().int().nullable().describe('The sum of its ledger; null for an unlimited pass'),
    unlimited: z.boolean(),
    event_types: z.array(z.string()).nullable(),
    expires_at: z.string().nullable().describe('Set when the purchase is paid: activation + valid_days'),
    status: z.enum(MEMBER_PASS_STATUSES),
  })
  .meta({ id: 'MemberPass' });

export const purchaseSchema = z
  .object({
    id: z.number().int().describe('The purchase id (POST /pass-purchases/:id/confirm); also the member pass id'),
    pass_id: z.number().int(),
    status: z.enum(MEMBER_PASS_STATUSES),
    amount_due: z.number().int(),
    currency: z.string(),
    provider: z.enum(PAYMENT_PROVIDERS).nullable(),
  })
  .meta({ id: 'PassPurchaseState' });

export const purchaseAnswer = z.object({
  purchase: purchaseSchema,
  payment: z
    .object({
      provider: z.enum(PAYMENT_PROVIDERS),
      amount: z.number().int(),
      currency: z.string(),
      order_id: z.string().optional(),
      key_id: z.string().optional(),
      payment_intent_id: z.string().optional(),
      client_secret: z.string().optional(),
    })
    .nullable()
    .describe('null when the price (after a voucher) is 0: the pass is active at once'),
});

export const ledgerSchema = z.object({
  entries: z.array(
    z.object({
      id: z.number().int(),
      change: z.number().int(),
      reason: z.enum(['purchase', 'booking', 'booking_cancelled', 'expiry']),
      booking_id: z.number().int().nullable(),
      created_at: z.string(),
    }),
  ),
});
