declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
    /** The hardening suites' own D1 (vitest.config.ts), so their write checks see only their own requests. */
    HARDENING_DB: D1Database;
  }
  interface GlobalProps {
    mainModule: typeof import('../src');
  }
}
