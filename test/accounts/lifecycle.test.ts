import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EmailJob } from '../../src/modules/email/messages';
import { JOBS_QUEUE_NAME, handleQueue } from '../../src/queue';
import { registerAndLogin } from '../support/api';
import { createBooking, createEvent, createUser, hoursFromNow, PASSWORD, setUserRole, uniqueEmail } from '../support/fixtures';
import { fakePaymentProviders } from '../support/fake-providers';
import { call, callWithEnv, expectError } from '../support/http';

afterEach(() => vi.restoreAllMocks());

const NEW_PASSWORD = 'a brand new password';

/** A jobs queue that keeps what is sent to it, so a test reads the email the route queued. */
function recordingJobs() {
  const sent: EmailJob[] = [];
  const queue = { send: async (body: EmailJob) => void sent.push(body), sendBatch: async () => {} } as unknown as Queue;
  return { queue, sent };
}

async function forgot(email: string, jobs = recordingJobs()) {
  const res = await callWithEnv({ JOBS_QUEUE: jobs.queue }, 'POST', '/password/forgot', { body: { email } });
  return { res, sent: jobs.sent };
}

const tokenIn = (email: EmailJob) => new URL(/https?:\/\/\S+/.exec(email.text)![0]).searchParams.get('token')!;

describe('POST /password/change', () => {
  it('changes the password; the old access and refresh tokens stop working; the new password logs in', async () => {
    const session = await registerAndLogin();
    const res = await call('POST', '/password/change', {
      token: session.token,
      body: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ msg: 'Password changed' });
    expectError(await call('GET', '/me', { token: session.token }), 401, 'unauthorized');
    const refresh = await call('POST', '/token/refresh', { body: { refresh_token: session.refreshToken } });
    expectError(refresh, 401, 'unauthorized');
    expectError(await call('POST', '/login', { body: { email: session.email, password: PASSWORD } }), 401, 'unauthorized');
    const login = await call('POST', '/login', { body: { email: session.email, password: NEW_PASSWORD } });
    expect(login.status).toBe(200);
    expect((await call('GET', '/me', { token: login.json.access_token })).status).toBe(200);
  });

  it('a wrong current password is 400 invalid_password and changes nothing', async () => {
    const session = await registerAndLogin();
    const res = await call('POST', '/password/change', {
      token: session.token,
      body: { current_password: 'not my password', new_password: NEW_PASSWORD },
    });
    expect(expectError(res, 400, 'invalid_password').msg).toBe('The password is not correct');
    expect((await call('GET', '/me', { token: session.token })).status).toBe(200);
  });

  it('a short new password is 400 validation_failed; no token is 401', async () => {
    const session = await registerAndLogin();
    const short = await call('POST', '/password/change', {
      token: session.token,
      body: { current_password: PASSWORD, new_password: 'short' },
    });
    expectError(short, 400, 'validation_failed');
    const anonymous = await call('POST', '/password/change', {
      body: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expectError(anonymous, 401, 'unauthorized');
  });
});

describe('POST /password/forgot and /password/reset', () => {
  it('answers 202 with the same body for a known and an unknown email; only the known one queues an email', async () => {
    const { email } = await registerAndLogin();
    const known = await forgot(`  ${email.toUpperCase()} `);
    const unknown = await forgot(uniqueEmail('nobody'));
    expect([known.res.status, unknown.res.status]).toEqual([202, 202]);
    expect(known.res.json).toEqual({ msg: 'If that account exists, a reset link is on its way' });
    expect(unknown.res.json).toEqual(known.res.json);
    expect(unknown.sent).toEqual([]);
    expect(known.sent).toEqual([
      { kind: 'email', to: email, subject: 'Reset your Ahoum password', text: expect.stringContaining('?token=') },
    ]);
    expect(known.sent[0]!.text).toContain(env.PASSWORD_RESET_URL);
  });

  it('stores only a hash of the token, valid 30 minutes', async () => {
    const { email, user } = await registerAndLogin();
    const { sent } = await forgot(email);
    const token = tokenIn(sent[0]!);
    const row = await env.DB.prepare('SELECT * FROM password_reset_tokens WHERE user_id = ?').bind(user.id).first<any>();
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.expires_at - row.created_at).toBe(30 * 60_000);
  });

  it('sends at most 3 an hour per email; the 4th is still 202 and sends nothing', async () => {
    const { email } = await registerAndLogin();
    const jobs = recordingJobs();
    for (let i = 0; i < 4; i++) expect((await forgot(email, jobs)).res.status).toBe(202);
    expect(jobs.sent).toHaveLength(3);
  });

  it('the emailed token sets a new password once; old tokens are refused; a second use is 400 invalid_token', async () => {
    const session = await registerAndLogin();
    const { sent } = await forgot(session.email);
    const token = tokenIn(sent[0]!);
    const reset = await call('POST', '/password/reset', { body: { token, new_password: NEW_PASSWORD } });
    expect(reset.status).toBe(200);
    expect(reset.json).toEqual({ msg: 'Password reset' });
    expectError(await call('GET', '/me', { token: session.token }), 401, 'unauthorized');
    expectError(await call('POST', '/token/refresh', { body: { refresh_token: session.refreshToken } }), 401, 'unauthorized');
    expect((await call('POST', '/login', { body: { email: session.email, password: NEW_PASSWORD } })).status).toBe(200);
    const again = await call('POST', '/password/reset', { body: { token, new_password: 'yet another password' } });
    expectError(again, 400, 'invalid_token');
  });

  it('an expired, an unknown, or a superseded-by-reset token is 400 invalid_token', async () => {
    const { email, user } = await registerAndLogin();
    const { sent } = await forgot(email);
    await forgot(email).then(({ sent: more }) => sent.push(...more));
    const [first, second] = sent.map(tokenIn);
    await env.DB.prepare(
      'UPDATE password_reset_tokens SET expires_at = ? WHERE user_id = ? AND id = (SELECT min(id) FROM password_reset_tokens WHERE user_id = ?)',
    )
      .bind(Date.now() - 1, user.id, user.id)
      .run();
    expectError(
      await call('POST', '/password/reset', { body: { token: first, new_password: NEW_PASSWORD } }),
      400,
      'invalid_token',
    );
    expectError(
      await call('POST', '/password/reset', { body: { token: 'x'.repeat(43), new_password: NEW_PASSWORD } }),
      400,
      'invalid_token',
    );
    expect((await call('POST', '/password/reset', { body: { token: second, new_password: NEW_PASSWORD } })).status).toBe(200);
    // A third token asked for before the reset was spent by it.
    const third = await forgot(email);
    expect(third.sent).toHaveLength(1);
  });

  it('the jobs consumer logs the email as one JSON line with the link when EMAIL_DELIVERY=log, and acks it', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const body: EmailJob = { kind: 'email', to: 'a@example.test', subject: 'Reset', text: 'Go to https://x.test/r?token=abc' };
    const batch = createMessageBatch<EmailJob>(JOBS_QUEUE_NAME, [{ id: 'm1', timestamp: new Date(), attempts: 1, body }]);
    const ctx = createExecutionContext();
    await handleQueue(batch, { ...env, EMAIL_DELIVERY: 'log' }, ctx);
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ['m1'], retryMessages: [] });
    const lines = log.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(lines).toContainEqual({ level: 'info', msg: 'email', to: 'a@example.test', subject: 'Reset', text: body.text });
  });

  it('with EMAIL_DELIVERY=send it goes through the EMAIL binding from EMAIL_FROM; a refusal is retried with a delay', async () => {
    const sent: unknown[] = [];
    const binding = { send: async (message: unknown) => void sent.push(message) };
    const body: EmailJob = { kind: 'email', to: 'b@example.test', subject: 'Reset', text: 'link' };
    const ok = createMessageBatch<EmailJob>(JOBS_QUEUE_NAME, [{ id: 'm2', timestamp: new Date(), attempts: 1, body }]);
    const ctx = createExecutionContext();
    await handleQueue(ok, { ...env, EMAIL_DELIVERY: 'send', EMAIL: binding as unknown as SendEmail }, ctx);
    expect(await getQueueResult(ok, ctx)).toMatchObject({ explicitAcks: ['m2'] });
    expect(sent).toEqual([{ from: env.EMAIL_FROM, to: 'b@example.test', subject: 'Reset', text: 'link' }]);

    vi.spyOn(console, 'error').mockImplementation(() => {});
    const failing = { send: async () => Promise.reject(new Error('Email Service unavailable')) };
    const retry = createMessageBatch<EmailJob>(JOBS_QUEUE_NAME, [{ id: 'm3', timestamp: new Date(), attempts: 2, body }]);
    const spy = vi.spyOn(retry.messages[0]!, 'retry');
    const ctx2 = createExecutionContext();
    await handleQueue(retry, { ...env, EMAIL_DELIVERY: 'send', EMAIL: failing as unknown as SendEmail }, ctx2);
    expect(await getQueueResult(retry, ctx2)).toMatchObject({ explicitAcks: [], retryMessages: [{ msgId: 'm3' }] });
    expect(spy.mock.calls[0]?.[0]?.delaySeconds).toBe(60);
  });
});

describe('access tokens and refresh families', () => {
  it('the auth middleware reads the user from the primary: a demoted admin is refused at once, even if a replica lags', async () => {
    const admin = await createUser('admin');
    await setUserRole(admin.id, 'member');
    // A replica that has not seen the demotion yet: every read through a session still says admin.
    const laggingDb = new Proxy(env.DB, {
      get(target, prop) {
        if (prop === 'withSession') {
          return () => ({
            prepare: (sql: string) => {
              const stale = sql.replace(/\brole\b(?=[,\s]+(?:token_version|"|\bfrom\b))/i, "'admin' AS role");
              return target.prepare(stale);
            },
            batch: target.batch.bind(target),
            getBookmark: () => null,
          });
        }
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const adminOnly = await callWithEnv({ DB: laggingDb as D1Database }, 'GET', '/admin/notifications', { token: admin.token });
    expectError(adminOnly, 403, 'forbidden');
    // The stale session really would have let the request through: the same read on it still says admin.
    const stale = await laggingDb
      .withSession()
      .prepare('SELECT id, role, token_version FROM users WHERE id = ?')
      .bind(admin.id)
      .first<any>();
    expect(stale.role).toBe('admin');
  });

  it('/logout revokes the whole family: logging out with an earlier token of the login ends the current one too', async () => {
    const session = await registerAndLogin();
    const rotated = await call('POST', '/token/refresh', { body: { refresh_token: session.refreshToken } });
    expect(rotated.status).toBe(200);
    const out = await call('POST', '/logout', {
      token: rotated.json.access_token,
      body: { refresh_token: session.refreshToken },
    });
    expect(out.status).toBe(204);
    expectError(
      await call('POST', '/token/refresh', { body: { refresh_token: rotated.json.refresh_token } }),
      401,
      'unauthorized',
    );
  });

  it("a family ends 30 days after its login: rotation keeps the login's expiry instead of sliding it", async () => {
    const session = await registerAndLogin();
    const rows = () =>
      env.DB.prepare('SELECT expires_at, created_at FROM refresh_tokens WHERE user_id = ? ORDER BY id')
        .bind(session.user.id)
        .all<{ expires_at: number; created_at: number }>();
    const [first] = (await rows()).results;
    expect(first!.expires_at - first!.created_at).toBeGreaterThan(30 * 86_400_000 - 5_000);
    // As if the login were 29 days old: its family has one day left, and rotating does not extend it.
    await env.DB.prepare('UPDATE refresh_tokens SET expires_at = ? WHERE user_id = ?')
      .bind(Date.now() + 86_400_000, session.user.id)
      .run();
    const rotated = await call('POST', '/token/refresh', { body: { refresh_token: session.refreshToken } });
    expect(rotated.status).toBe(200);
    const after = (await rows()).results;
    expect(after).toHaveLength(2);
    expect(after[1]!.expires_at).toBe(after[0]!.expires_at);
  });
});

describe('GET /me/export', () => {
  it("returns the caller's user, bookings, payments, and empty member_passes and ledger", async () => {
    const member = await createUser();
    const event = await createEvent({ startsAt: hoursFromNow(48) });
    const bookingId = await createBooking(member.id, event.id);
    const paidEvent = await createEvent({ startsAt: hoursFromNow(48), price: 49900 });
    const paid = await env.DB.prepare(
      `INSERT INTO bookings (event_id, user_id, status, booked_at, currency, is_paid, payment_provider, payment_order_id,
         payment_id, amount_due, amount_paid) VALUES (?, ?, 'confirmed', ?, 'INR', 1, 'razorpay', ?, ?, 49900, 49900) RETURNING id`,
    )
      .bind(paidEvent.id, member.id, Date.now(), `order_${crypto.randomUUID()}`, `pay_${crypto.randomUUID()}`)
      .first<{ id: number }>();
    await env.DB.prepare(
      `INSERT INTO payment_events (provider, event_id, type, booking_id) VALUES ('razorpay', ?, 'payment.captured', ?)`,
    )
      .bind(`payment.captured:${crypto.randomUUID()}`, paid!.id)
      .run();
    const other = await createUser();
    await createBooking(other.id, event.id);

    const res = await call('GET', '/me/export', { token: member.token });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(['bookings', 'ledger', 'member_passes', 'payments', 'user']);
    expect(res.json.user).toMatchObject({ id: member.id, email: member.email });
    expect(res.json.bookings.map((b: any) => b.id).sort()).toEqual([bookingId, paid!.id].sort());
    expect(res.json.member_passes).toEqual([]);
    expect(res.json.ledger).toEqual([]);
    expect(res.json.payments).toEqual([
      expect.objectContaining({
        booking_id: paid!.id,
        provider: 'razorpay',
        is_paid: true,
        amount_paid: 49900,
        provider_events: [expect.objectContaining({ type: 'payment.captured' })],
      }),
    ]);
    expect(res.text).not.toMatch(/password|hash|salt/i);
  });
});

describe('DELETE /me', () => {
  it('a wrong password is 400 invalid_password and deletes nothing', async () => {
    const session = await registerAndLogin();
    const res = await call('DELETE', '/me', { token: session.token, body: { password: 'wrong password' } });
    expectError(res, 400, 'invalid_password');
    expect((await call('GET', '/me', { token: session.token })).status).toBe(200);
  });

  it('cancels upcoming bookings, keeps the rows, revokes tokens, anonymises the account and frees the email', async () => {
    const session = await registerAndLogin('Leaving Member');
    const upcoming = await createEvent({ startsAt: hoursFromNow(48), capacity: 5 });
    const started = await createEvent({ startsAt: hoursFromNow(-1) });
    const upcomingBooking = await createBooking(session.user.id, upcoming.id);
    const pastBooking = await createBooking(session.user.id, started.id);

    const res = await call('DELETE', '/me', { token: session.token, body: { password: PASSWORD } });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    const rows = await env.DB.prepare('SELECT id, status, cancel_reason FROM bookings WHERE user_id = ? ORDER BY id')
      .bind(session.user.id)
      .all<any>();
    expect(rows.results).toEqual([
      { id: upcomingBooking, status: 'cancelled', cancel_reason: 'user_cancelled' },
      { id: pastBooking, status: 'confirmed', cancel_reason: null },
    ]);
    const seats = await env.DB.prepare('SELECT booked_count FROM events WHERE id = ?')
      .bind(upcoming.id)
      .first<number>('booked_count');
    expect(seats).toBe(0);

    const user = await env.DB.prepare('SELECT * FROM users WHERE id = ?').bind(session.user.id).first<any>();
    expect(user).toMatchObject({ name: 'Deleted user', email: `deleted-${session.user.id}@invalid`, password_hash: '' });
    expect(user.deleted_at).toEqual(expect.any(Number));

    expectError(await call('GET', '/me', { token: session.token }), 401, 'unauthorized');
    expectError(await call('POST', '/token/refresh', { body: { refresh_token: session.refreshToken } }), 401, 'unauthorized');
    expectError(await call('POST', '/login', { body: { email: session.email, password: PASSWORD } }), 401, 'unauthorized');
    expect(user.password_algorithm).toBe('none');
    const again = await call('POST', '/register', { body: { name: 'Back Again', email: session.email, password: PASSWORD } });
    expect(again.status).toBe(201);
    expect(again.json.user.id).not.toBe(session.user.id);
  });

  it('refunds a paid upcoming booking in full through its provider', async () => {
    const providers = fakePaymentProviders();
    const session = await registerAndLogin();
    const event = await createEvent({ startsAt: hoursFromNow(48), price: 49900 });
    const paymentId = `pi_${crypto.randomUUID().replaceAll('-', '')}`;
    const paid = await env.DB.prepare(
      `INSERT INTO bookings (event_id, user_id, status, booked_at, currency, is_paid, payment_provider, payment_order_id,
         payment_id, amount_due, amount_paid) VALUES (?, ?, 'confirmed', ?, 'INR', 1, 'stripe', ?, ?, 49900, 49900) RETURNING id`,
    )
      .bind(event.id, session.user.id, Date.now(), paymentId, paymentId)
      .first<{ id: number }>();
    expect((await call('DELETE', '/me', { token: session.token, body: { password: PASSWORD } })).status).toBe(204);
    expect(providers.refunds).toEqual([{ provider: 'stripe', id: expect.any(String), amount: 49900, target: paymentId }]);
    const row = await env.DB.prepare('SELECT status, refund_id FROM bookings WHERE id = ?').bind(paid!.id).first<any>();
    expect(row).toEqual({ status: 'cancelled', refund_id: providers.refunds[0]!.id });
  });

  it('after the cancellation cut-off, refunds what the booking’s policy gives for a late cancel', async () => {
    const providers = fakePaymentProviders();
    const session = await registerAndLogin();
    const event = await createEvent({ startsAt: hoursFromNow(6), price: 49900 });
    const paymentId = `pi_${crypto.randomUUID().replaceAll('-', '')}`;
    await env.DB.prepare(
      `INSERT INTO bookings (event_id, user_id, status, booked_at, currency, is_paid, payment_provider, payment_order_id,
         payment_id, amount_due, amount_paid, policy_cutoff_hours, policy_late_refund_percent)
       VALUES (?, ?, 'confirmed', ?, 'INR', 1, 'stripe', ?, ?, 49900, 49900, 12, 50)`,
    )
      .bind(event.id, session.user.id, Date.now(), paymentId, paymentId)
      .run();
    expect((await call('DELETE', '/me', { token: session.token, body: { password: PASSWORD } })).status).toBe(204);
    expect(providers.refunds).toEqual([{ provider: 'stripe', id: expect.any(String), amount: 24950, target: paymentId }]);
  });
});
