import { desc, sql } from 'drizzle-orm';
import { z } from 'zod';
import { isForeignKeyViolation, isUniqueViolationOn } from '../../db/errors';
import { vouchers, type VoucherRow } from '../../db/schema';
import { requireRole } from '../../http/auth';
import { ApiError } from '../../http/errors';
import { createRouter } from '../../http/factory';
import { describeRoute } from '../../http/route-marks';
import { validate } from '../../http/validate';
import { eventFields } from '../events/schemas';
import { usesSql } from './uses';
import { positiveId } from '../../http/params';

export const createVoucherBody = z
  .object({
    code: z
      .string()
      .trim()
      .min(3)
      .max(40)
      .regex(/^[A-Za-z0-9_-]+$/, 'Letters, digits, - and _')
      .describe('Case-insensitive'),
    percent_off: z.number().int().min(1).max(100).optional(),
    amount_off: z.number().int().positive().max(1_000_000_000).optional().describe('Minor units, in currency'),
    currency: eventFields.currency.optional().describe('Of amount_off (default INR)'),
    max_uses: z.number().int().min(1).max(1_000_000),
    valid_until: eventFields.starts_at.optional(),
    event_id: positiveId.optional(),
    event_type: eventFields.type.optional(),
  })
  .refine((body) => (body.percent_off === undefined) !== (body.amount_off === undefined), {
    message: 'Give percent_off or amount_off (one of them)',
    path: ['percent_off'],
  })
  .refine((body) => body.event_id === undefined || body.event_type === undefined, {
    message: 'Give event_id or event_type, not both (neither: every event and pass)',
    path: ['event_id'],
  })
  .meta({ id: 'VoucherCreate' });

export const voucherSchema = z
  .object({
    id: z.number().int(),
    code: z.string(),
    percent_off: z.number().int().nullable(),
    amount_off: z.number().int().nullable(),
    currency: z.string().nullable(),
    max_uses: z.number().int(),
    uses: z.number().int().describe('Live holds and paid bookings or purchases holding it'),
    valid_until: z.string().nullable(),
    event_id: z.number().int().nullable(),
    event_type: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'Voucher' });

const voucherJson = (row: VoucherRow, uses: number) => ({
  id: row.id,
  code: row.code,
  percent_off: row.percentOff,
  amount_off: row.amountOff,
  currency: row.currency,
  max_uses: row.maxUses,
  uses,
  valid_until: row.validUntil?.toISOString() ?? null,
  event_id: row.eventId,
  event_type: row.eventType,
  created_at: row.createdAt.toISOString(),
});

const admins = requireRole('admin');
const uses = sql<number>`${sql.raw(usesSql('vouchers'))}`;

export const voucherRoutes = createRouter()
  .post(
    '/vouchers',
    describeRoute({
      summary: 'Create a voucher code (admin)',
      description: 'Percent or amount off, for one event, an event type or everything (passes too), max_uses, valid_until.',
      tags: ['Vouchers'],
      responses: { 201: { description: 'Created', schema: z.object({ voucher: voucherSchema }) } },
      errors: ['forbidden', 'voucher_code_taken', 'not_found'],
    }),
    admins,
    validate('json', createVoucherBody),
    async (c) => {
      const body = c.req.valid('json');
      try {
        const [row] = await c
          .get('db')
          .insert(vouchers)
          .values({
            code: body.code.toLowerCase(),
            percentOff: body.percent_off ?? null,
            amountOff: body.amount_off ?? null,
            currency: body.amount_off !== undefined ? (body.currency ?? 'INR') : null,
            maxUses: body.max_uses,
            validUntil: body.valid_until ?? null,
            eventId: body.event_id ?? null,
            eventType: body.event_type ?? null,
          })
          .returning();
        return c.json({ voucher: voucherJson(row!, 0) }, 201);
      } catch (error) {
        if (isUniqueViolationOn(error, 'vouchers.code'))
          throw new ApiError('voucher_code_taken', 'Another voucher has this code');
        if (isForeignKeyViolation(error)) throw new ApiError('not_found', 'No event has this event_id');
        throw error;
      }
    },
  )
  .get(
    '/vouchers',
    describeRoute({
      summary: 'The vouchers with their uses, newest first (admin; at most 100)',
      tags: ['Vouchers'],
      responses: { 200: { description: 'The vouchers', schema: z.object({ vouchers: z.array(voucherSchema) }) } },
      errors: ['forbidden'],
    }),
    admins,
    async (c) => {
      const rows = await c.get('db').select({ voucher: vouchers, uses }).from(vouchers).orderBy(desc(vouchers.id)).limit(100);
      return c.json({ vouchers: rows.map((row) => voucherJson(row.voucher, row.uses)) });
    },
  );
