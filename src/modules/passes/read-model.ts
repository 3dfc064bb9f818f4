import type { PassRow, MemberPassRow } from '../../db/schema';
import type { Database } from '../../env';
import { balanceSql } from './credits';

export function passJson(row: PassRow) {
  return {
    id: row.id,
    name: row.name,
    credits: row.credits,
    unlimited: row.unlimited,
    price: row.price,
    currency: row.currency,
    valid_days: row.validDays,
    event_types: row.eventTypes ?? null,
    active: row.active,
    created_at: row.createdAt.toISOString(),
  };
}

export function purchaseJson(row: MemberPassRow) {
  return {
    id: row.id,
    pass_id: row.passId,
    status: row.status,
    amount_due: row.amountDue,
    currency: row.currency,
    provider: row.paymentProvider,
  };
}

interface MemberPassWithBalance {
  id: number;
  pass_id: number;
  name: string;
  credits_total: number | null;
  unlimited: number;
  event_types: string | null;
  expires_at: number | null;
  status: MemberPassRow['status'];
  balance: number;
}

const SELECT_WITH_BALANCE = `SELECT mp.id, mp.pass_id, mp.name, mp.credits_total, mp.unlimited, mp.event_types, mp.expires_at,
  mp.status, ${balanceSql('mp')} AS balance FROM member_passes mp`;

function memberPassJson(row: MemberPassWithBalance) {
  return {
    id: row.id,
    pass_id: row.pass_id,
    name: row.name,
    credits_total: row.credits_total,
    credits_left: row.unlimited ? null : row.balance,
    unlimited: row.unlimited === 1,
    event_types: row.event_types === null ? null : (JSON.parse(row.event_types) as string[]),
    expires_at: row.expires_at === null ? null : new Date(row.expires_at).toISOString(),
    status: row.status,
  };
}

/** The caller's passes (purchases not paid yet included), newest first, at most 100. */
export async function memberPassesOf(db: Database, userId: number) {
  const { results } = await db.$client
    .prepare(`${SELECT_WITH_BALANCE} WHERE mp.user_id = ? ORDER BY mp.id DESC LIMIT 100`)
    .bind(userId)
    .all<MemberPassWithBalance>();
  return results.map(memberPassJson);
}

export async function memberPassById(db: Database, id: number) {
  const row = await db.$client.prepare(`${SELECT_WITH_BALANCE} WHERE mp.id = ?`).bind(id).first<MemberPassWithBalance>();
  return row ? memberPassJson(row) : null;
}

/** A pass's ledger, oldest first (its sum is the balance), at most 1000 rows. */
export async function ledgerOf(db: Database, memberPassId: number) {
  const { results } = await db.$client
    .prepare(`SELECT id, change, reason, booking_id, created_at FROM pass_ledger WHERE member_pass_id = ? ORDER BY id LIMIT 1000`)
    .bind(memberPassId)
    .all<{
      id: number;
      change: number;
      reason: 'purchase' | 'booking' | 'booking_cancelled' | 'expiry';
      booking_id: number | null;
      created_at: number;
    }>();
  return results.map((row) => ({ ...row, created_at: new Date(row.created_at).toISOString() }));
}

/** Every ledger row of every pass of the user (GET /me/export), oldest first. */
export async function ledgerOfUser(db: Database, userId: number) {
  const { results } = await db.$client
    .prepare(
      `SELECT l.id, l.member_pass_id, l.change, l.reason, l.booking_id, l.created_at FROM pass_ledger l
       JOIN member_passes mp ON mp.id = l.member_pass_id WHERE mp.user_id = ? ORDER BY l.id`,
    )
    .bind(userId)
    .all<{ id: number; member_pass_id: number; change: number; reason: string; booking_id: number | null; created_at: number }>();
  return results.map((row) => ({ ...row, created_at: new Date(row.created_at).toISOString() }));
}
