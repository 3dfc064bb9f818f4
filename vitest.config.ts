import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          // Tests never read a developer's .dev.vars values for secrets that change behaviour.
          bindings: {
            TEST_MIGRATIONS: migrations,
            JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789',
            GOOGLE_MAPS_API_KEY: '',
            CRM_WEBHOOK_URL: '',
            CRM_WEBHOOK_SECRET: 'test-crm-secret',
            RAZORPAY_KEY_ID: 'rzp_test_key',
            RAZORPAY_KEY_SECRET: 'test-razorpay-secret',
            RAZORPAY_WEBHOOK_SECRET: 'test-razorpay-webhook-secret',
            STRIPE_SECRET_KEY: 'sk_test_ahoum',
            STRIPE_WEBHOOK_SECRET: 'whsec_test_ahoum',
          },
        },
      }),
    ],
    test: {
      setupFiles: ['./test/setup/apply-migrations.ts'],
      include: ['test/**/*.test.ts'],
      exclude: ['test/bench/**'],
      testTimeout: 30_000,
    },
  };
});
