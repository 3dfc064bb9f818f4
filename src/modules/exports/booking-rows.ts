import { csvLine } from './csv';

/**
 * The bookings CSV (roster and admin export), streamed: a ReadableStream that reads one keyset page from D1 per pull,
 * so memory holds about two pages whatever the size of the export (100,000 rows included), and the client starts
 * receiving at once. Check-in codes are never selected.
 */
export const EXPORT_PAGE_SIZE = 1000;

const COLUMNS = [
  'booking_id',
  'event_id',
  'event_title',
  'event_starts_at',
  'facilitator',
  'user_id',
  'user_name',
  'user_email',
  'status',
  'booked_at',
  'cancelled_at',
  'cancel_reason',
  'late_cancel',
  'attendance',
  'attended_at',
  'is_paid',
  'payment_provider',
  'payment_id',
  'amount_paid',
  'refund_amount',
  'currency',
] as const;

interface ExportRow {
  booking_id: number;
  event_id: number;
  event_title: string;
  event_starts_at: number;
  facilitator: string;
  user_id: number;
  user_name: string;
  user_email: string;
  status: string;
  booked_at: number;
  cancelled_at: number | null;
  cancel_reason: string | null;
  late_cancel: number;
  attendance: string | null;
  attended_at: number | null;
  is_paid: number;
  payment_provider: string | null;
  payment_id: string | null;
  amount_paid: number | null;
  refund_amount: number | null;
  currency: string;
}

/** Which bookings: an SQL condition on `b` (bookings) with `?` placeholders, trusted (written in this module). */
export interface BookingFilter {
  where: string;
  params: unknown[];
}

const PAGE_SQL = (
  where: string,
) => `SELECT b.id AS booking_id, b.event_id, e.title AS event_title, e.starts_at AS event_starts_at,
    f.name AS facilitator, b.user_id, u.name AS user_name, u.email AS user_email, b.status, b.booked_at, b.cancelled_at,
    b.cancel_reason, b.late_cancel, b.attendance, b.attended_at, b.is_paid, b.payment_provider, b.payment_id,
    b.amount_paid, b.refund_amount, b.currency
  FROM bookings b
  JOIN events e ON e.id = b.event_id
  JOIN users u ON u.id = b.user_id
  JOIN facilitators f ON f.id = e.facilitator_id
  WHERE (${where}) AND (b.booked_at, b.id) > (?, ?)
  ORDER BY b.booked_at, b.id
  LIMIT ?`;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function line(row: ExportRow): string {
  return csvLine([
    row.booking_id,
    row.event_id,
    row.event_title,
    iso(row.event_starts_at),
    row.facilitator,
    row.user_id,
    row.user_name,
    row.user_email,
    row.status,
    iso(row.booked_at),
    iso(row.cancelled_at),
    row.cancel_reason,
    Boolean(row.late_cancel),
    row.attendance,
    iso(row.attended_at),
    Boolean(row.is_paid),
    row.payment_provider,
    row.payment_id,
    row.amount_paid,
    row.refund_amount,
    row.currency,
  ]);
}

/**
 * The header row, then one chunk per page, in (booked_at, id) order. The first page is read before the stream is
 * returned, so a database that fails up front is a JSON error answer (503), not a 200 with a cut-off body.
 */
export async function bookingsCsvStream(
  d1: D1Database | D1DatabaseSession,
  filter: BookingFilter,
  pageSize = EXPORT_PAGE_SIZE,
): Promise<ReadableStream<Uint8Array>> {
  const encoder = new TextEncoder();
  const statement = d1.prepare(PAGE_SQL(filter.where));
  let after: [number, number] = [Number.MIN_SAFE_INTEGER, 0];
  let finished = false;
  /** The next page as CSV text ('' when there is none), advancing the keyset cursor. */
  const nextPage = async () => {
    const { results } = await statement.bind(...filter.params, after[0], after[1], pageSize).all<ExportRow>();
    if (results.length < pageSize) finished = true;
    const last = results[results.length - 1];
    if (last) after = [last.booked_at, last.booking_id];
    return results.map(line).join('');
  };
  const first = csvLine([...COLUMNS]) + (await nextPage());
  let sentFirst = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!sentFirst) {
          sentFirst = true;
          controller.enqueue(encoder.encode(first));
          if (finished) controller.close();
          return;
        }
        try {
          const text = await nextPage();
          if (text) controller.enqueue(encoder.encode(text));
          if (finished) controller.close();
        } catch (error) {
          // The 200 and the first rows are already sent: the client sees a cut-off download, the log says why.
          console.error(JSON.stringify({ level: 'error', msg: 'csv export failed mid-stream', error: String(error) }));
          controller.error(error);
        }
      },
    },
    { highWaterMark: 1 },
  );
}
