import { z } from 'zod';
import { currentUser, requireRole } from '../../http/auth';
import { ApiError } from '../../http/errors';
import { createRouter } from '../../http/factory';
import { ownerOnly } from '../../http/ownership';
import { idParam } from '../../http/params';
import { describeRoute } from '../../http/route-marks';
import { validate } from '../../http/validate';
import { confirmPurchaseBody } from '../payments/schemas';
import { paymentSettings } from '../payments/settings';
import { activePasses, createPass, updatePass } from './products';
import { confirmPurchase, purchasePass } from './purchase';
import { ledgerOf, memberPassesOf, passJson } from './read-model';
import {
  createPassBody,
  ledgerSchema,
  memberPassSchema,
  passSchema,
  purchaseAnswer,
  purchaseBody,
  updatePassBody,
} from './schemas';

const admins = requireRole('admin');

/** Confirming acts on a purchase as its buyer. */
const ownPurchaseOnly = ownerOnly('SELECT user_id FROM member_passes WHERE id = ?', 'Purchase');

export const passRoutes = createRouter()
  .post(
    '/passes',
    describeRoute({
      summary: 'Create a pass product: a pack of credits or an unlimited membership (admin)',
      tags: ['Passes'],
      responses: { 201: { description: 'Created', schema: z.object({ pass: passSchema }) } },
      errors: ['forbidden'],
    }),
    admins,
    validate('json', createPassBody),
    async (c) => c.json({ pass: passJson(await createPass(c.get('db'), c.req.valid('json'))) }, 201),
  )
  .get(
    '/passes',
    describeRoute({
      summary: 'The pass products on sale',
      tags: ['Passes'],
      public: true,
      responses: { 200: { description: 'Active products, oldest first', schema: z.object({ passes: z.array(passSchema) }) } },
    }),
    async (c) => c.json({ passes: (await activePasses(c.get('db'))).map(passJson) }),
  )
  .patch(
    '/passes/:id',
    describeRoute({
      summary: 'Edit a pass product; active: false retires it (admin). Holders keep what they bought.',
      tags: ['Passes'],
      responses: { 200: { description: 'Updated', schema: z.object({ pass: passSchema }) } },
      errors: ['forbidden', 'not_found'],
    }),
    admins,
    validate('param', idParam),
    validate('json', updatePassBody),
    async (c) => c.json({ pass: passJson(await updatePass(c.get('db'), c.req.valid('param').id, c.req.valid('json'))) }),
  )
  .post(
    '/passes/:id/purchase',
    describeRoute({
      summary: 'Buy a pass: a pending purchase and the provider order to pay, like /create-payment',
      tags: ['Passes'],
      rateLimit: 'user',
      description: 'A free product is active at once (payment: null). Confirm with POST /pass-purchases/:id/confirm.',
      responses: { 201: { description: 'The purchase and how to pay it', schema: purchaseAnswer } },
      errors: ['not_found', 'payment_provider_error', 'voucher_invalid', 'voucher_exhausted'],
    }),
    validate('param', idParam),
    validate('json', purchaseBody),
    async (c) => {
      const answer = await purchasePass(c.get('db'), c.env.CRM_QUEUE, paymentSettings(c.env), {
        passId: c.req.valid('param').id,
        actor: currentUser(c),
        provider: c.req.valid('json').provider,
        voucherCode: c.req.valid('json').voucher_code,
      });
      return c.json(answer, 201);
    },
  )
  .post(
    '/pass-purchases/:id/confirm',
    describeRoute({
      summary: 'Activate a purchase with the provider’s proof, as /confirm-booking (the buyer)',
      tags: ['Passes'],
      responses: {
        200: {
          description: 'Active: credits and expiry set',
          schema: z.object({ msg: z.literal('Pass activated'), member_pass: memberPassSchema }),
        },
      },
      errors: [
        'forbidden',
        'not_found',
        'payment_verification_failed',
        'payment_already_used',
        'booking_already_paid',
        'booking_not_payable',
        'payment_provider_error',
      ],
    }),
    validate('param', idParam),
    ownPurchaseOnly,
    validate('json', confirmPurchaseBody),
    async (c) => {
      const memberPass = await confirmPurchase(c.get('db'), c.env.CRM_QUEUE, paymentSettings(c.env), {
        purchaseId: c.req.valid('param').id,
        actor: currentUser(c),
        proof: c.req.valid('json'),
      });
      return c.json({ msg: 'Pass activated' as const, member_pass: memberPass });
    },
  )
  .get(
    '/me/passes',
    describeRoute({
      summary: 'The caller’s passes, with credits left (the sum of each one’s ledger)',
      tags: ['Passes'],
      responses: { 200: { description: 'Newest first', schema: z.object({ member_passes: z.array(memberPassSchema) }) } },
    }),
    async (c) => c.json({ member_passes: await memberPassesOf(c.get('db'), currentUser(c).id) }),
  )
  .get(
    '/me/passes/:id/ledger',
    describeRoute({
      summary: 'Every credit change of a pass, oldest first (its owner; admin)',
      tags: ['Passes'],
      responses: { 200: { description: 'The ledger; its sum is credits_left', schema: ledgerSchema } },
      errors: ['forbidden', 'not_found'],
    }),
    validate('param', idParam),
    async (c) => {
      const user = currentUser(c);
      const id = c.req.valid('param').id;
      const owner = await c
        .get('db')
        .$client.prepare('SELECT user_id FROM member_passes WHERE id = ?')
        .bind(id)
        .first<{ user_id: number }>();
      if (!owner) throw new ApiError('not_found', 'Pass not found');
      if (owner.user_id !== user.id && user.role !== 'admin') throw new ApiError('forbidden', 'This pass is not yours');
      return c.json({ entries: await ledgerOf(c.get('db'), id) });
    },
  );
