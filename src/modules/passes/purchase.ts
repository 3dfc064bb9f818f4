import { and, eq } from 'drizzle-orm';
import { Batch } from '../../db/batch';
import { isUniqueViolationOn } from '../../db/errors';
import { memberPasses, passes, type MemberPassRow } from '../../db/schema';
import type { CurrentUser, Database } from '../../env';
import { ApiError } from '../../http/errors';
import { commit, passPurchasedMessage } from '../crm/outbox';
import { verifyPayment, type ProviderProof } from '../payments/confirm';
import type { Provider } from '../payments/hold';
import { checkoutFields, createProviderOrder, type ProviderOrder } from '../payments/order';
import type { PaymentSettings } from '../payments/settings';
import { memberPassById, purchaseJson } from './read-model';
import { applicableVoucher, discounted, exhausted } from '../vouchers/lookup';
import { hasUseLeft } from '../vouchers/uses';

const DAY = 86_400_000;

/**
 * Activates the purchase ?1 paid by ?2 at `now`, in the caller's batch, once: the UPDATE only moves a
 * `pending_payment` purchase (a confirm and a webhook racing cannot both win; the unique payment_id index refuses a
 * payment used twice), then `pass.purchased` and, for a pack, its credits as the `purchase` ledger row. Returns the
 * UPDATE's step.
 */
export function activatePass(batch: Batch, input: { memberPassId: number; paymentId: string | null }, now: Date) {
  const activated = batch.sql(
    `UPDATE member_passes SET status = 'active', payment_id = ?2, amount_paid = amount_due, activated_at = ?3,
       expires_at = ?3 + valid_days * ${DAY}, updated_at = ?3
     WHERE id = ?1 AND status = 'pending_payment'`,
    input.memberPassId,
    input.paymentId,
    now.getTime(),
  );
  passPurchasedMessage(batch, input.memberPassId, now);
  batch.sql(
    `INSERT INTO pass_ledger (member_pass_id, change, reason, booking_id, created_at)
     SELECT id, credits_total, 'purchase', NULL, ?2 FROM member_passes
     WHERE id = ?1 AND status = 'active' AND activated_at = ?2 AND unlimited = 0
     ON CONFLICT DO NOTHING`,
    input.memberPassId,
    now.getTime(),
  );
  return activated;
}

/** A payment id already used for another purchase is 409 payment_already_used. */
function paymentAlreadyUsed(error: unknown): never {
  if (isUniqueViolationOn(error, 'member_passes.payment_id')) {
    throw new ApiError('payment_already_used', 'This payment has already been used for another purchase');
  }
  throw error;
}

/**
 * POST /passes/:id/purchase: a `pending_payment` purchase of an active product with its terms copied, then the
 * provider's order for its price (Razorpay order or Stripe PaymentIntent), answered like /create-payment. A free
 * product is activated at once (payment: null). A provider failure cancels the purchase and passes the 502 on.
 */
export async function purchasePass(
  db: Database,
  crm: Queue,
  settings: PaymentSettings,
  input: { passId: number; actor: CurrentUser; provider: Provider; voucherCode?: string },
) {
  const product = await db.query.passes.findFirst({ where: and(eq(passes.id, input.passId), eq(passes.active, true)) });
  if (!product) throw new ApiError('not_found', 'No pass for sale has this id');
  const voucher = input.voucherCode
    ? await applicableVoucher(db, input.voucherCode, { kind: 'pass', currency: product.currency }, new Date())
    : null;
  const amount = voucher ? discounted(product.price, voucher) : product.price;
  const idempotencyKey = crypto.randomUUID();
  // One conditional INSERT: with a voucher, its use is counted (the row itself) only while one is left.
  const inserted = await db.$client
    .prepare(
      `INSERT INTO member_passes (user_id, pass_id, status, name, credits_total, unlimited, event_types, valid_days, amount_due,
         currency, payment_provider, payment_idempotency_key, voucher_id, created_at, updated_at)
       SELECT ?1, p.id, 'pending_payment', p.name, p.credits, p.unlimited, p.event_types, p.valid_days, ?2, p.currency, ?3, ?4, ?5,
         ?6, ?6
       FROM passes p WHERE p.id = ?7 ${voucher ? `AND ${hasUseLeft('?5')}` : ''}
       RETURNING id`,
    )
    .bind(input.actor.id, amount, amount > 0 ? input.provider : null, idempotencyKey, voucher?.id ?? null, Date.now(), product.id)
    .first<{ id: number }>();
  if (!inserted) throw exhausted();
  const id = inserted.id;
  if (amount === 0) {
    const batch = new Batch(db.$client);
    activatePass(batch, { memberPassId: id, paymentId: null }, new Date());
    await commit(batch, crm);
    return { purchase: purchaseJson((await loadPurchase(db, id))!), payment: null };
  }
  let order: ProviderOrder;
  try {
    order = await createProviderOrder(settings, {
      provider: input.provider,
      amount,
      currency: product.currency,
      reference: { kind: 'pass_purchase', id },
      idempotencyKey,
    });
    await db.update(memberPasses).set({ paymentOrderId: order.orderId, updatedAt: new Date() }).where(eq(memberPasses.id, id));
  } catch (error) {
    await db
      .update(memberPasses)
      .set({ status: 'cancelled', updatedAt: new Date() })
      .where(eq(memberPasses.id, id))
      .catch(() => undefined);
    throw error;
  }
  return {
    purchase: purchaseJson((await loadPurchase(db, id))!),
    payment: {
      provider: input.provider,
      amount,
      currency: product.currency,
      ...checkoutFields(settings, input.provider, order),
    },
  };
}

const loadPurchase = (db: Database, id: number) => db.query.memberPasses.findFirst({ where: eq(memberPasses.id, id) });

/**
 * POST /pass-purchases/:id/confirm: the buyer's proof is verified with the provider (the order made for this purchase,
 * captured, same amount and currency), then the purchase is activated. Again with the same payment: the same pass.
 */
export async function confirmPurchase(
  db: Database,
  crm: Queue,
  settings: PaymentSettings,
  input: { purchaseId: number; actor: CurrentUser; proof: ProviderProof },
) {
  const purchase = await loadPurchase(db, input.purchaseId);
  if (!purchase) throw new ApiError('not_found', 'Purchase not found');
  if (purchase.userId !== input.actor.id) throw new ApiError('forbidden', 'This purchase is not yours');
  const presented = 'razorpay_payment_id' in input.proof ? input.proof.razorpay_payment_id : input.proof.payment_intent_id;
  if (purchase.status !== 'pending_payment') {
    if (purchase.status !== 'cancelled' && purchase.paymentId === presented) return (await memberPassById(db, purchase.id))!;
    if (purchase.status === 'cancelled') throw new ApiError('booking_not_payable', 'This purchase was cancelled');
    throw new ApiError('booking_already_paid', 'This purchase is already paid with another payment');
  }
  const paymentId = await verifyPayment(settings, purchase, input.proof);
  await activate(db, crm, purchase, paymentId);
  return (await memberPassById(db, purchase.id))!;
}

/** Activates a purchase paid by `paymentId` (the client's confirm or the provider's webhook). */
export async function activate(db: Database, crm: Queue, purchase: MemberPassRow, paymentId: string) {
  const batch = new Batch(db.$client);
  const activated = activatePass(batch, { memberPassId: purchase.id, paymentId }, new Date());
  const result = await commit(batch, crm).catch(paymentAlreadyUsed);
  return result.changes(activated) === 1;
}
