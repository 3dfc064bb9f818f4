import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakePaymentProviders, type FakeProviders } from '../support/fake-providers';
import { createEvent, createUser, createUsers, type UserFixture } from '../support/fixtures';
import { call, expectError } from '../support/http';
import { razorpayCheckoutResult } from '../support/payments';

const HOUR = 3_600_000;
let providers: FakeProviders;
let admin: UserFixture;
beforeEach(async () => {
  providers = fakePaymentProviders();
  admin = await createUser('admin');
});
afterEach(() => vi.restoreAllMocks());

const code = () => `v${crypto.randomUUID().replaceAll('-', '').slice(0, 10)}`;

async function voucher(fields: Record<string, unknown>) {
  const res = await call('POST', '/vouchers', { token: admin.token, body: { code: code(), max_uses: 5, ...fields } });
  expect(res.status, res.text).toBe(201);
  return res.json.voucher as { id: number; code: string };
}

const hold = (member: UserFixture, eventId: number, voucherCode?: string, provider = 'razorpay') =>
  call('POST', '/create-payment', { token: member.token, body: { event_id: eventId, provider, voucher_code: voucherCode } });

describe('vouchers on /create-payment', () => {
  it('the provider order carries the reduced amount and the confirmation checks it', async () => {
    const event = await createEvent({ price: 50_000, capacity: 5 });
    const v = await voucher({ percent_off: 25 });
    const [member] = await createUsers(1);
    const res = await hold(member!, event.id, v.code.toUpperCase()); // codes are case-insensitive
    expect(res.status, res.text).toBe(201);
    expect(res.json.payment).toMatchObject({ amount: 37_500 });
    expect(providers.orders.get(res.json.payment.order_id)).toMatchObject({ amount: 37_500 });
    const proof = await razorpayCheckoutResult(res.json.payment.order_id);
    const paid = await call('POST', '/confirm-booking', {
      token: member!.token,
      body: { booking_id: res.json.booking.id, ...proof },
    });
    expect(paid.status, paid.text).toBe(200);
    expect(paid.json.booking).toMatchObject({ status: 'confirmed', amount_paid: 37_500, paid_with: 'money' });
    const listed = await call('GET', '/vouchers', { token: admin.token });
    expect(listed.json.vouchers.find((x: any) => x.id === v.id)).toMatchObject({ uses: 1, max_uses: 5 });
  });

  it('a price brought to 0 confirms at once without a provider (payment: null)', async () => {
    const event = await createEvent({ price: 20_000, capacity: 5 });
    const v = await voucher({ amount_off: 50_000, currency: 'INR' });
    const [member] = await createUsers(1);
    const res = await hold(member!, event.id, v.code);
    expect(res.status, res.text).toBe(201);
    expect(res.json.payment).toBeNull();
    expect(res.json.booking).toMatchObject({ status: 'confirmed', paid_with: 'voucher', is_paid: false });
    expect(providers.calls).toEqual([]);
  });

  it('10 holds at once with a 3-use voucher: exactly 3; a released hold gives its use back', async () => {
    const event = await createEvent({ price: 10_000, capacity: 20 });
    const v = await voucher({ percent_off: 10, max_uses: 3 });
    const members = await createUsers(10);
    const answers = await Promise.all(members.map((m) => hold(m, event.id, v.code)));
    const won = answers.filter((a) => a.status === 201);
    expect(won).toHaveLength(3);
    for (const refused of answers.filter((a) => a.status !== 201)) expectError(refused, 409, 'voucher_exhausted');
    // One hold expires: its use comes back.
    await env.DB.prepare('UPDATE bookings SET hold_expires_at = ? WHERE id = ?')
      .bind(Date.now() - HOUR, won[0]!.json.booking.id)
      .run();
    const [late] = await createUsers(1);
    expect((await hold(late!, event.id, v.code)).status).toBe(201);
  });

  it('unknown, expired, another event, another type or currency: 422 voucher_invalid, nothing held', async () => {
    const event = await createEvent({ price: 10_000, type: 'Yoga', capacity: 5 });
    const other = await createEvent({ price: 10_000, type: 'Dance' });
    const [member] = await createUsers(1);
    const expired = await voucher({ percent_off: 10, valid_until: new Date(Date.now() - HOUR).toISOString() });
    const forOther = await voucher({ percent_off: 10, event_id: other.id });
    const forDance = await voucher({ percent_off: 10, event_type: 'dance' });
    const usd = await voucher({ amount_off: 500, currency: 'USD' });
    for (const c of ['no-such-code', expired.code, forOther.code, forDance.code, usd.code]) {
      expectError(await hold(member!, event.id, c), 422, 'voucher_invalid');
    }
    const mine = await call('GET', '/my-bookings', { token: member!.token });
    expect(mine.json.upcoming_bookings).toEqual([]);
  });

  it('admin only; a code is unique, any case', async () => {
    const [member] = await createUsers(1);
    expectError(
      await call('POST', '/vouchers', { token: member!.token, body: { code: code(), percent_off: 5, max_uses: 1 } }),
      403,
      'forbidden',
    );
    const v = await voucher({ percent_off: 5 });
    expectError(
      await call('POST', '/vouchers', { token: admin.token, body: { code: v.code.toUpperCase(), percent_off: 5, max_uses: 1 } }),
      409,
      'voucher_code_taken',
    );
    expectError(
      await call('POST', '/vouchers', { token: admin.token, body: { code: code(), max_uses: 1 } }),
      400,
      'validation_failed',
    );
  });
});

describe('vouchers on passes and waitlist claims', () => {
  it('a pass purchase is reduced; a free pass purchase is active at once', async () => {
    const pass = await call('POST', '/passes', {
      token: admin.token,
      body: { name: 'Pack', credits: 3, price: 60_000, valid_days: 30 },
    });
    const half = await voucher({ percent_off: 50 });
    const all = await voucher({ percent_off: 100 });
    const [member] = await createUsers(1);
    const reduced = await call('POST', `/passes/${pass.json.pass.id}/purchase`, {
      token: member!.token,
      body: { provider: 'stripe', voucher_code: half.code },
    });
    expect(reduced.status, reduced.text).toBe(201);
    expect(reduced.json.payment).toMatchObject({ amount: 30_000 });
    expect(providers.intents.get(reduced.json.payment.payment_intent_id)).toMatchObject({ amount: 30_000 });
    const free = await call('POST', `/passes/${pass.json.pass.id}/purchase`, {
      token: member!.token,
      body: { provider: 'stripe', voucher_code: all.code },
    });
    expect(free.json).toMatchObject({ purchase: { status: 'active', amount_due: 0 }, payment: null });
    const event = await createEvent({ price: 10_000 });
    const forEvent = await voucher({ percent_off: 10, event_id: event.id });
    expectError(
      await call('POST', `/passes/${pass.json.pass.id}/purchase`, {
        token: member!.token,
        body: { provider: 'stripe', voucher_code: forEvent.code },
      }),
      422,
      'voucher_invalid',
    );
  });

  it('a claimed waitlist offer takes a voucher', async () => {
    const event = await createEvent({ price: 40_000, capacity: 1 });
    const [holder, waiter] = await createUsers(2);
    const held = await hold(holder!, event.id);
    const wait = await call('POST', '/book', { token: waiter!.token, body: { event_id: event.id, waitlist: true } });
    await call('DELETE', `/cancel-booking/${held.json.booking.id}`, { token: holder!.token });
    const v = await voucher({ amount_off: 10_000 });
    const claimed = await call('POST', `/bookings/${wait.json.booking.id}/claim`, {
      token: waiter!.token,
      body: { provider: 'razorpay', voucher_code: v.code },
    });
    expect(claimed.status, claimed.text).toBe(201);
    expect(claimed.json.payment).toMatchObject({ amount: 30_000 });
  });
});
