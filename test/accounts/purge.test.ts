import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { runCron } from '../support/api';
import { createUser, uniqueEmail } from '../support/fixtures';

const MINUTE = 60_000;
const windowMs = () => Number(env.LOGIN_WINDOW_SECONDS) * 1000;

describe('the cron purges what no longer counts', () => {
  it('login failures older than the window go; failures inside it stay', async () => {
    const email = uniqueEmail();
    const now = Date.now();
    await env.DB.batch(
      [now - windowMs() - MINUTE, now - MINUTE].map((at) =>
        env.DB.prepare(`INSERT INTO login_failures (email, client_address, failed_at) VALUES (?, '', ?)`).bind(email, at),
      ),
    );
    await runCron(now);
    const left = await env.DB.prepare('SELECT failed_at FROM login_failures WHERE email = ?').bind(email).all<any>();
    expect(left.results).toEqual([{ failed_at: now - MINUTE }]);
  });

  it('refresh tokens past their family’s end go, revoked or not; live ones (revoked included) stay', async () => {
    const user = await createUser();
    const now = Date.now();
    const rows = [
      ['expired', now - MINUTE, null],
      ['expired-revoked', now - MINUTE, now - 2 * MINUTE],
      ['live', now + MINUTE, null],
      ['live-revoked', now + MINUTE, now - MINUTE],
    ] as const;
    await env.DB.batch(
      rows.map(([name, expires, revoked]) =>
        env.DB.prepare(
          `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?)`,
        ).bind(user.id, `family-${user.id}`, `${name}-${user.id}`, expires, revoked),
      ),
    );
    await runCron(now);
    const left = await env.DB.prepare('SELECT token_hash FROM refresh_tokens WHERE user_id = ? ORDER BY id')
      .bind(user.id)
      .all<any>();
    expect(left.results.map((r: any) => r.token_hash)).toEqual([`live-${user.id}`, `live-revoked-${user.id}`]);
  });

  it('password reset tokens go an hour after they expired (they no longer count toward 3 an hour)', async () => {
    const user = await createUser();
    const now = Date.now();
    await env.DB.batch(
      [
        ['old', now - 61 * MINUTE],
        ['recent', now - 10 * MINUTE],
      ].map(([name, expires]) =>
        env.DB.prepare(
          `INSERT INTO password_reset_tokens (user_id, token_hash, expires_at, created_at) VALUES (?, ?, ?, ?)`,
        ).bind(user.id, `${name}-${user.id}`, expires, Number(expires) - 30 * MINUTE),
      ),
    );
    await runCron(now);
    const left = await env.DB.prepare('SELECT token_hash FROM password_reset_tokens WHERE user_id = ?').bind(user.id).all<any>();
    expect(left.results.map((r: any) => r.token_hash)).toEqual([`recent-${user.id}`]);
  });
});
