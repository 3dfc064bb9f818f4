/**
 * A voucher's uses are never counted in a column: they are the bookings and pass purchases holding it that are still
 * live or were paid (an unexpired hold, a confirmed or offered booking, a paid one even if cancelled later; a purchase
 * pending, active or expired). An expired or released hold gives its use back by itself, and the
 * check "uses < max_uses" sits in the same conditional INSERT as the hold (D1 runs one batch at a time).
 */
export const usesSql = (voucher: string) => `((SELECT count(*) FROM bookings vb WHERE vb.voucher_id = ${voucher}.id
    AND (vb.status IN ('confirmed', 'offered') OR vb.is_paid = 1
      OR (vb.status = 'pending_payment' AND vb.hold_expires_at > unixepoch('subsec') * 1000)))
  + (SELECT count(*) FROM member_passes vp WHERE vp.voucher_id = ${voucher}.id AND vp.status IN ('pending_payment', 'active', 'expired')))`;

/** SQL: the amount `price` (an expression) comes to with voucher `voucher`, never below 0. */
export const discountedSql = (price: string, voucher: string) =>
  `max(0, ${price} - CASE WHEN ${voucher}.percent_off IS NOT NULL THEN (${price} * ${voucher}.percent_off) / 100 ELSE ${voucher}.amount_off END)`;

/** SQL: voucher ?id (a parameter expression) still has a use left. */
export const hasUseLeft = (id: string) => `EXISTS (SELECT 1 FROM vouchers v WHERE v.id = ${id} AND ${usesSql('v')} < v.max_uses)`;
