import { eq, sql } from 'drizzle-orm';
import { events, vouchers, type VoucherRow } from '../../db/schema';
import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import { usesSql } from './uses';

/** What a voucher is applied to: an event (its id, type and currency), or a pass purchase (currency only). */
export type VoucherTarget =
  { kind: 'event'; eventId: number; type: string; currency: string } | { kind: 'pass'; currency: string };

const invalid = (why: string) => new ApiError('voucher_invalid', `This voucher code cannot be used: ${why}`);

/**
 * The voucher a code names, if it applies to the target at `now`: 422 `voucher_invalid` when unknown, expired, for
 * another event or type (an event-scoped voucher never applies to a pass), or an amount in another currency; 409
 * `voucher_exhausted` when every use is taken. The hold's conditional INSERT checks the uses again, atomically.
 */
export async function applicableVoucher(db: Database, code: string, target: VoucherTarget, now: Date): Promise<VoucherRow> {
  const [row] = await db
    .select({ voucher: vouchers, uses: sql<number>`${sql.raw(usesSql('vouchers'))}` })
    .from(vouchers)
    .where(eq(vouchers.code, code.trim().toLowerCase()));
  if (!row) throw invalid('no voucher has this code');
  const voucher = row.voucher;
  if (voucher.validUntil && voucher.validUntil <= now) throw invalid('it has expired');
  if (voucher.eventId !== null && (target.kind !== 'event' || target.eventId !== voucher.eventId)) {
    throw invalid('it is for another event');
  }
  if (voucher.eventType !== null && (target.kind !== 'event' || target.type.toLowerCase() !== voucher.eventType.toLowerCase())) {
    throw invalid(`it is for ${voucher.eventType} events`);
  }
  if (voucher.currency !== null && voucher.currency !== target.currency) throw invalid(`it is an amount in ${voucher.currency}`);
  if (row.uses >= voucher.maxUses) throw exhausted();
  return voucher;
}

/** The voucher a code names, applied to this event (its type and currency): 404 for an unknown event, else as above. */
export async function voucherForEvent(db: Database, code: string, eventId: number, now: Date): Promise<VoucherRow> {
  const event = await db.query.events.findFirst({ columns: { type: true, currency: true }, where: eq(events.id, eventId) });
  if (!event) throw new ApiError('not_found', 'Event not found');
  return applicableVoucher(db, code, { kind: 'event', eventId, type: event.type, currency: event.currency }, now);
}

export const exhausted = () => new ApiError('voucher_exhausted', 'Every use of this voucher is taken');

/** The amount a price comes to with the voucher (the same arithmetic as discountedSql), never below 0. */
export function discounted(price: number, voucher: Pick<VoucherRow, 'percentOff' | 'amountOff'>): number {
  const off = voucher.percentOff !== null ? Math.floor((price * voucher.percentOff) / 100) : (voucher.amountOff ?? 0);
  return Math.max(0, price - off);
}

/** 409 `voucher_exhausted` when the voucher's uses are all taken now (a hold's INSERT was refused for it). */
export async function assertVoucherHasUse(db: Database, voucherId: number) {
  const row = await db.$client
    .prepare(`SELECT ${usesSql('v')} >= v.max_uses AS spent FROM vouchers v WHERE v.id = ?`)
    .bind(voucherId)
    .first<{ spent: number }>();
  if (row?.spent) throw exhausted();
}
