// Copies Swagger UI's browser bundle from node_modules into public/ (served as Workers static assets at
// /docs-assets/), so /docs works with no internet. Runs after `npm install`; the copies are not committed.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const source = dirname(require.resolve('swagger-ui-dist/package.json'));
const target = 'public/docs-assets';
mkdirSync(target, { recursive: true });
for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'favicon-32x32.png']) copyFileSync(join(source, file), join(target, file));
