import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// Two projects: `workers` runs the API inside workerd against local D1 with the real migrations (almost everything);
// `node` runs the few checks that need Node tools (the OpenAPI 3.1 schema validator, newman against `wrangler dev`).
export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                // A D1 database only the hardening suites use: they compare whole-table fingerprints around each
                // request, which other test files writing to DB at the same time would disturb.
                d1Databases: { HARDENING_DB: 'hardening-isolated' },
                // The CRM producer sends to a queue nobody consumes in tests: the consumer is called explicitly
                // (createMessageBatch), and no automatic delivery can start while a test file is being torn down.
                queueProducers: {
                  CRM_QUEUE: { queueName: 'ahoum-crm-notifications-tests' },
                  WEBHOOK_QUEUE: { queueName: 'ahoum-webhooks-tests' },
                },
                // Tests never depend on a developer's .dev.vars.
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789',
                  GOOGLE_MAPS_API_KEY: '',
                  CRM_WEBHOOK_URL: '',
                  CRM_WEBHOOK_SECRET: 'test-crm-secret',
                  RAZORPAY_KEY_ID: 'rzp_test_key',
                  RAZORPAY_API_URL: 'https://razorpay.test',
                  STRIPE_API_URL: 'https://stripe.test',
                  RAZORPAY_KEY_SECRET: 'test-razorpay-secret',
                  RAZORPAY_WEBHOOK_SECRET: 'test-razorpay-webhook-secret',
                  STRIPE_SECRET_KEY: 'sk_test_ahoum',
                  STRIPE_WEBHOOK_SECRET: 'whsec_test_ahoum',
                  EMAIL_DELIVERY: 'log',
                  ALLOW_HTTP_WEBHOOKS: 'true',
                },
              },
            }),
          ],
          test: {
            name: 'workers',
            setupFiles: ['./test/setup/apply-migrations.ts'],
            include: ['test/**/*.test.ts'],
            exclude: ['test/node/**'],
            testTimeout: 30_000,
          },
        },
        {
          test: {
            name: 'node',
            environment: 'node',
            include: ['test/node/**/*.test.ts'],
            testTimeout: 180_000,
            hookTimeout: 180_000,
          },
        },
      ],
    },
  };
});
