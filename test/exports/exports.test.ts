import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { EXPORT_PAGE_SIZE } from '../../src/modules/exports/booking-rows';
import { bookAs } from '../support/api';
import { createEvent, createFacilitatorAccount, createUser } from '../support/fixtures';
import { call, clientRequest, expectError } from '../support/http';
import { exports } from 'cloudflare:workers';

/** An independent RFC 4180 reader: quoted fields with doubled quotes and line breaks, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') ((cell += '"'), i++);
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') (row.push(cell), (cell = ''));
    else if (ch === '\r' && text[i + 1] === '\n') (row.push(cell), rows.push(row), (row = []), (cell = ''), i++);
    else cell += ch;
  }
  if (cell || row.length) (row.push(cell), rows.push(row));
  return rows;
}

const records = (text: string) => {
  const [header, ...rest] = parseCsv(text);
  return rest.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i]])));
};

describe('GET /events/:id/bookings.csv', () => {
  it('quotes commas, quotes and newlines, neutralises formulas, and never shows check-in codes', async () => {
    const facilitator = await createFacilitatorAccount();
    const event = await createEvent({ title: 'Yoga, "Deep"\nStretch', facilitatorId: facilitator.facilitatorId });
    const names = ['=cmd()|/C calc!A0', '+SUM(1,2)', '-2+3', '@SUM(A1)', 'Plain "Quoted", Name'];
    const bookingIds: number[] = [];
    for (const name of names) bookingIds.push((await bookAs((await createUser('member', { name })).token, event.id)).id);

    const res = await call('GET', `/events/${event.id}/bookings.csv`, { token: facilitator.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('Content-Disposition')).toBe(`attachment; filename="event-${event.id}-bookings.csv"`);
    expect(res.text).toContain('"Yoga, ""Deep""\nStretch"');
    expect(res.text.split('\r\n')[0]).toMatch(/^booking_id,event_id,event_title,/);
    expect(res.text).not.toMatch(/check_in/);
    const { results: codes } = await env.DB.prepare(
      `SELECT check_in_code FROM bookings WHERE event_id = ? AND check_in_code IS NOT NULL`,
    )
      .bind(event.id)
      .all<{ check_in_code: string }>();
    expect(codes.length).toBe(names.length);
    for (const { check_in_code } of codes) expect(res.text).not.toContain(check_in_code);

    const rows = records(res.text);
    expect(rows.map((r) => Number(r.booking_id))).toEqual(bookingIds);
    expect(rows[0]!.event_title).toBe('Yoga, "Deep"\nStretch');
    expect(rows.map((r) => r.user_name)).toEqual([
      "'=cmd()|/C calc!A0",
      "'+SUM(1,2)",
      "'-2+3",
      "'@SUM(A1)",
      'Plain "Quoted", Name',
    ]);
    expect(rows[0]).toMatchObject({ status: 'confirmed', is_paid: 'false', event_id: String(event.id) });
  });

  it('is for an admin or the event’s own facilitator only', async () => {
    const facilitator = await createFacilitatorAccount();
    const event = await createEvent({ facilitatorId: facilitator.facilitatorId });
    const admin = await createUser('admin');
    expect((await call('GET', `/events/${event.id}/bookings.csv`, { token: admin.token })).status).toBe(200);
    const stranger = await createFacilitatorAccount();
    expectError(await call('GET', `/events/${event.id}/bookings.csv`, { token: stranger.token }), 403, 'forbidden');
    expectError(await call('GET', `/events/${event.id}/bookings.csv`, { token: (await createUser()).token }), 403, 'forbidden');
    expectError(await call('GET', `/events/${event.id}/bookings.csv`), 401, 'unauthorized');
    expectError(await call('GET', '/events/99999999/bookings.csv', { token: admin.token }), 404, 'not_found');
  });
});

describe('GET /admin/exports/bookings.csv', () => {
  it('streams 20,000 bookings page by page (many chunks, none holding the whole export)', async () => {
    const admin = await createUser('admin');
    const event = await createEvent();
    const tag = crypto.randomUUID().slice(0, 8);
    // A window in 2001 that only this test's bookings fall in.
    const base = Date.UTC(2001, 0, 1);
    await env.DB.prepare(
      `INSERT INTO users (name, email, role, password_algorithm, password_iterations, password_salt, password_hash)
       WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000)
       SELECT 'Bulk ' || x, 'bulk-' || ? || '-' || x || '@example.test', 'member', 'none', 1, '', '' FROM n`,
    )
      .bind(tag)
      .run();
    await env.DB.prepare(
      `INSERT INTO bookings (event_id, user_id, status, booked_at, currency)
       SELECT ?, id, 'confirmed', ? + id, 'INR' FROM users WHERE email LIKE ?`,
    )
      .bind(event.id, base, `bulk-${tag}-%`)
      .run();

    const query = `from=2001-01-01T00:00:00Z&to=2001-12-31T00:00:00Z`;
    const response = await exports.default.fetch(
      clientRequest('GET', `/admin/exports/bookings.csv?${query}`, { token: admin.token }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Disposition')).toBe('attachment; filename="bookings.csv"');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let chunks = 0;
    let largest = 0;
    let lines = 0;
    let tail = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks += 1;
      largest = Math.max(largest, value.byteLength);
      const text = tail + decoder.decode(value, { stream: true });
      const parts = text.split('\r\n');
      tail = parts.pop()!;
      lines += parts.length;
    }
    expect(lines).toBe(20_001); // the header and every booking
    expect(chunks).toBeGreaterThanOrEqual(20_000 / EXPORT_PAGE_SIZE);
    expect(largest).toBeLessThan(512 * 1024);
  });

  it('validates from/to and is for admins only', async () => {
    const admin = await createUser('admin');
    expectError(
      await call('GET', '/admin/exports/bookings.csv?from=yesterday', { token: admin.token }),
      400,
      'validation_failed',
    );
    expectError(
      await call('GET', '/admin/exports/bookings.csv?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', { token: admin.token }),
      400,
      'validation_failed',
    );
    expectError(await call('GET', '/admin/exports/bookings.csv', { token: (await createUser()).token }), 403, 'forbidden');
    const empty = await call('GET', '/admin/exports/bookings.csv?from=1990-01-01T00:00:00Z&to=1990-01-02T00:00:00Z', {
      token: admin.token,
    });
    expect(empty.status).toBe(200);
    expect(parseCsv(empty.text)).toHaveLength(1);
  });
});
