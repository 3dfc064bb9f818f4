import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCron } from '../support/api';
import { fakePaymentProviders, type FakeProviders } from '../support/fake-providers';
import { createEvent, createUser, createUsers, type UserFixture } from '../support/fixtures';
import { call, expectError } from '../support/http';
import { razorpayCheckoutResult, razorpayPaymentEvent, razorpayWebhook } from '../support/payments';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let providers: FakeProviders;
let admin: UserFixture;
beforeEach(async () => {
  providers = fakePaymentProviders();
  admin = await createUser('admin');
});
afterEach(() => vi.restoreAllMocks());

async function product(fields: Record<string, unknown> = {}) {
  const res = await call('POST', '/passes', {
    token: admin.token,
    body: { name: '5-class pack', credits: 5, price: 200_000, valid_days: 60, ...fields },
  });
  expect(res.status, res.text).toBe(201);
  return res.json.pass as { id: number };
}

/** Buys a pass through Razorpay (order, Checkout signature, confirm); returns the active member pass. */
async function buy(member: UserFixture, passId: number) {
  const purchase = await call('POST', `/passes/${passId}/purchase`, { token: member.token, body: { provider: 'razorpay' } });
  expect(purchase.status, purchase.text).toBe(201);
  const proof = await razorpayCheckoutResult(purchase.json.payment.order_id);
  const confirmed = await call('POST', `/pass-purchases/${purchase.json.purchase.id}/confirm`, {
    token: member.token,
    body: {
      razorpay_order_id: proof.razorpay_order_id,
      razorpay_payment_id: proof.razorpay_payment_id,
      razorpay_signature: proof.razorpay_signature,
    },
  });
  expect(confirmed.status, confirmed.text).toBe(200);
  return confirmed.json.member_pass as { id: number; credits_left: number | null };
}

const passOf = async (member: UserFixture, id: number) =>
  ((await call('GET', '/me/passes', { token: member.token })).json.member_passes as any[]).find((p) => p.id === id);
const ledgerSum = async (member: UserFixture, id: number) =>
  ((await call('GET', `/me/passes/${id}/ledger`, { token: member.token })).json.entries as any[]).reduce(
    (sum, e) => sum + e.change,
    0,
  );

describe('passes: buy, book, cancel', () => {
  it('a pack bought through Razorpay books a paid class with a credit; a cancel before the cut-off gives it back', async () => {
    const pass = await product();
    const member = await createUser();
    const owned = await buy(member, pass.id);
    expect(owned).toMatchObject({ credits_left: 5, status: 'active', unlimited: false });
    expect(Date.parse((owned as any).expires_at)).toBeGreaterThan(Date.now() + 59 * DAY);
    const event = await createEvent({ price: 50_000, capacity: 3 });
    const booked = await call('POST', '/book', { token: member.token, body: { event_id: event.id, pass_id: owned.id } });
    expect(booked.status, booked.text).toBe(201);
    expect(booked.json.booking).toMatchObject({
      status: 'confirmed',
      paid_with: 'pass',
      member_pass_id: owned.id,
      is_paid: false,
    });
    expect((await passOf(member, owned.id)).credits_left).toBe(4);

    const quote = await call('GET', `/bookings/${booked.json.booking.id}/cancellation-quote`, { token: member.token });
    expect(quote.json).toMatchObject({ late: false, refund: null, credit_returned: true });
    await call('DELETE', `/cancel-booking/${booked.json.booking.id}`, { token: member.token });
    expect((await passOf(member, owned.id)).credits_left).toBe(5);
    const ledger = await call('GET', `/me/passes/${owned.id}/ledger`, { token: member.token });
    expect(ledger.json.entries.map((e: any) => [e.change, e.reason])).toEqual([
      [5, 'purchase'],
      [-1, 'booking'],
      [1, 'booking_cancelled'],
    ]);
    expect(providers.refunds).toEqual([]);
    const row = await env.DB.prepare(
      `SELECT payload FROM outbox WHERE type = 'pass.purchased' AND json_extract(payload, '$.member_pass.id') = ?`,
    )
      .bind(owned.id)
      .first<{ payload: string }>();
    expect(JSON.parse(row!.payload)).toMatchObject({
      user: { id: member.id },
      member_pass: { credits_total: 5 },
      payment_status: 'paid',
    });
  });

  it('a late cancel forfeits the credit; an organiser’s cancel returns it', async () => {
    const pass = await product();
    const member = await createUser();
    const owned = await buy(member, pass.id);
    const soon = await createEvent({ price: 50_000, startsAt: Date.now() + 6 * HOUR, cancellationCutoffHours: 12 });
    const later = await createEvent({ price: 50_000 });
    const a = await call('POST', '/book', { token: member.token, body: { event_id: soon.id, pass_id: owned.id } });
    const b = await call('POST', '/book', { token: member.token, body: { event_id: later.id, pass_id: owned.id } });
    const quote = await call('GET', `/bookings/${a.json.booking.id}/cancellation-quote`, { token: member.token });
    expect(quote.json).toMatchObject({ late: true, credit_returned: false });
    await call('DELETE', `/cancel-booking/${a.json.booking.id}`, { token: member.token });
    expect((await passOf(member, owned.id)).credits_left).toBe(3);
    await call('DELETE', `/events/${later.id}`, { token: admin.token });
    expect((await passOf(member, owned.id)).credits_left).toBe(4);
    expect(b.status).toBe(201);
  });

  it('10 bookings at once on a 1-credit pass (different events): exactly 1', async () => {
    const pass = await product({ credits: 1 });
    const member = await createUser();
    const owned = await buy(member, pass.id);
    const events = await Promise.all(Array.from({ length: 10 }, () => createEvent({ price: 50_000, capacity: 5 })));
    const answers = await Promise.all(
      events.map((event) => call('POST', '/book', { token: member.token, body: { event_id: event.id, pass_id: owned.id } })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    for (const refused of answers.filter((a) => a.status !== 201)) expectError(refused, 409, 'pass_not_usable');
    expect((await passOf(member, owned.id)).credits_left).toBe(0);
    expect(await ledgerSum(member, owned.id)).toBe(0);
  });

  it('not usable: someone else’s pass, another event type, a free event, an expired pass (409 pass_not_usable)', async () => {
    const pass = await product({ event_types: ['Yoga'] });
    const [member, other] = await createUsers(2);
    const owned = await buy(member!, pass.id);
    const yoga = await createEvent({ price: 50_000, type: 'yoga' });
    const dance = await createEvent({ price: 50_000, type: 'Dance' });
    const free = await createEvent({ type: 'Yoga' });
    const book = (who: UserFixture, eventId: number) =>
      call('POST', '/book', { token: who.token, body: { event_id: eventId, pass_id: owned.id } });
    expectError(await book(other!, yoga.id), 409, 'pass_not_usable');
    expectError(await book(member!, dance.id), 409, 'pass_not_usable');
    expectError(await book(member!, free.id), 409, 'pass_not_usable');
    await env.DB.prepare('UPDATE member_passes SET expires_at = ? WHERE id = ?')
      .bind(Date.now() - HOUR, owned.id)
      .run();
    expectError(await book(member!, yoga.id), 409, 'pass_not_usable');
    // The cron records the expiry once: the balance goes to 0 with one `expiry` row.
    await runCron();
    await runCron();
    const ledger = await call('GET', `/me/passes/${owned.id}/ledger`, { token: member!.token });
    expect(ledger.json.entries.filter((e: any) => e.reason === 'expiry')).toEqual([expect.objectContaining({ change: -5 })]);
    expect(await passOf(member!, owned.id)).toMatchObject({ status: 'expired', credits_left: 0 });
  });
});

describe('purchase proof attacks: nothing is credited', () => {
  it('another purchase’s signature, a reused payment id, a payment of another amount', async () => {
    const pass = await product();
    const [member] = await createUsers(1);
    const first = await call('POST', `/passes/${pass.id}/purchase`, { token: member!.token, body: { provider: 'razorpay' } });
    const second = await call('POST', `/passes/${pass.id}/purchase`, { token: member!.token, body: { provider: 'razorpay' } });
    const proofOfFirst = await razorpayCheckoutResult(first.json.payment.order_id);
    const { razorpay_order_id, razorpay_payment_id, razorpay_signature } = proofOfFirst;
    // The first purchase's proof presented for the second: its order is not the second's.
    expectError(
      await call('POST', `/pass-purchases/${second.json.purchase.id}/confirm`, {
        token: member!.token,
        body: { razorpay_order_id, razorpay_payment_id, razorpay_signature },
      }),
      400,
      'payment_verification_failed',
    );
    const ok = await call('POST', `/pass-purchases/${first.json.purchase.id}/confirm`, {
      token: member!.token,
      body: { razorpay_order_id, razorpay_payment_id, razorpay_signature },
    });
    expect(ok.status).toBe(200);
    // The same payment id again, signed for the second order: single-use.
    const reused = await razorpayCheckoutResult(second.json.payment.order_id, razorpay_payment_id);
    providers.orders.get(second.json.payment.order_id)!.amount = 200_000;
    const again = await call('POST', `/pass-purchases/${second.json.purchase.id}/confirm`, {
      token: member!.token,
      body: { razorpay_order_id: reused.razorpay_order_id, razorpay_payment_id, razorpay_signature: reused.razorpay_signature },
    });
    expect([400, 409]).toContain(again.status);
    const passes = (await call('GET', '/me/passes', { token: member!.token })).json.member_passes as any[];
    expect(passes.filter((p) => p.status === 'active')).toHaveLength(1);
    expect(passes.find((p) => p.id === second.json.purchase.id)).toMatchObject({ status: 'pending_payment', credits_left: 0 });
  });

  it('a webhook activates a purchase the buyer never confirmed, once; another amount activates nothing', async () => {
    const pass = await product({ credits: 3, price: 90_000 });
    const [member] = await createUsers(1);
    const purchase = await call('POST', `/passes/${pass.id}/purchase`, { token: member!.token, body: { provider: 'razorpay' } });
    const order = purchase.json.payment.order_id;
    const cheap = await razorpayWebhook(
      razorpayPaymentEvent('payment.captured', { id: `pay_${Date.now()}a`, order_id: order, amount: 100 }),
    );
    expect(cheap.status).toBe(200);
    expect((await passOf(member!, purchase.json.purchase.id)).status).toBe('pending_payment');
    const paid = razorpayPaymentEvent('payment.captured', { id: `pay_${Date.now()}b`, order_id: order, amount: 90_000 });
    expect((await razorpayWebhook(paid)).json).toEqual({ received: true, duplicate: false });
    expect((await razorpayWebhook(paid)).json).toEqual({ received: true, duplicate: true });
    expect(await passOf(member!, purchase.json.purchase.id)).toMatchObject({ status: 'active', credits_left: 3 });
    expect(await ledgerSum(member!, purchase.json.purchase.id)).toBe(3);
  });
});

describe('the ledger invariant', () => {
  it('after a random sequence of bookings and cancels, credits_left = sum of the ledger = credits - bookings holding a credit ≥ 0', async () => {
    const pass = await product({ credits: 4 });
    const member = await createUser();
    const owned = await buy(member, pass.id);
    const events = await Promise.all(
      Array.from({ length: 8 }, (_, i) => createEvent({ price: 10_000, capacity: 10, startsAt: Date.now() + (2 + i) * DAY })),
    );
    let seed = 20_261_202;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const held = new Set<number>();
    for (let step = 0; step < 30; step++) {
      if (held.size > 0 && random() < 0.4) {
        const id = [...held][Math.floor(random() * held.size)]!;
        expect((await call('DELETE', `/cancel-booking/${id}`, { token: member.token })).status).toBe(200);
        held.delete(id);
      } else {
        const event = events[Math.floor(random() * events.length)]!;
        const res = await call('POST', '/book', { token: member.token, body: { event_id: event.id, pass_id: owned.id } });
        if (res.status === 201) held.add(res.json.booking.id);
        else expect(res.json.code).toMatch(/^(pass_not_usable|already_booked)$/);
      }
      const state = await passOf(member, owned.id);
      expect(state.credits_left).toBe(await ledgerSum(member, owned.id));
      expect(state.credits_left).toBe(4 - held.size);
      expect(state.credits_left).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('a series booked with a pass', () => {
  it('one credit per occurrence, all or nothing: too few credits book nothing', async () => {
    const facilitator = await env.DB.prepare(`INSERT INTO facilitators (name, crm_id) VALUES ('S', ?) RETURNING id`)
      .bind(`crm-series-pass-${Date.now()}`)
      .first<{ id: number }>();
    const series = await call('POST', '/series', {
      token: admin.token,
      body: {
        title: 'Paid weekly',
        type: 'Yoga',
        starts_at: new Date(Date.now() + 2 * DAY).toISOString(),
        timezone: 'UTC',
        location: 'Online',
        price: 30_000,
        capacity: 10,
        rrule: 'FREQ=WEEKLY;COUNT=3',
        facilitator_id: facilitator!.id,
      },
    });
    expect(series.status, series.text).toBe(201);
    const seriesId = series.json.series.id;
    const [member] = await createUsers(1);
    const small = await buy(member!, (await product({ credits: 2 })).id);
    expectError(
      await call('POST', `/series/${seriesId}/book`, { token: member!.token, body: { pass_id: small.id } }),
      409,
      'pass_not_usable',
    );
    expect((await passOf(member!, small.id)).credits_left).toBe(2);
    // Without a pass a paid series is still 402, and a bodyless call still works as before.
    expectError(await call('POST', `/series/${seriesId}/book`, { token: member!.token }), 402, 'payment_required');
    const big = await buy(member!, (await product({ credits: 5 })).id);
    const booked = await call('POST', `/series/${seriesId}/book`, { token: member!.token, body: { pass_id: big.id } });
    expect(booked.status, booked.text).toBe(201);
    expect(booked.json.bookings).toHaveLength(3);
    for (const b of booked.json.bookings) expect(b).toMatchObject({ paid_with: 'pass', member_pass_id: big.id });
    expect((await passOf(member!, big.id)).credits_left).toBe(2);
    expect(await ledgerSum(member!, big.id)).toBe(2);
  });
});
