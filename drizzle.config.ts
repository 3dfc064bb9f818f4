import { defineConfig } from 'drizzle-kit';

// drizzle-kit writes SQL migrations into the folder wrangler applies (`migrations_dir` in wrangler.toml).
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
});
