// `npm run test:postman`: serves the API on a free local port with fresh demo data (its own D1 folder) and the
// local Razorpay/Stripe/CRM stand-in (scripts/fake-providers.mjs) on another, runs the Postman collection with
// newman against it, stops both, and fails on any failed assertion.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import newman from 'newman';

const COLLECTION = 'Ahoum_Booking_API.postman_collection.json';
const ENVIRONMENT = 'Ahoum_Booking_API.postman_environment.json';

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function waitForHealth(baseUrl, server, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the API exited early (code ${server.exitCode})`);
    try {
      const res = await fetch(`${baseUrl}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the API did not become healthy within ${timeoutMs / 1000} s`);
}

const runNewman = (baseUrl) =>
  new Promise((resolve, reject) => {
    newman.run(
      {
        collection: COLLECTION,
        environment: ENVIRONMENT,
        envVar: [{ key: 'baseUrl', value: baseUrl }],
        reporters: ['cli'],
        bail: false,
      },
      (error, summary) => (error ? reject(error) : resolve(summary)),
    );
  });

const port = await freePort();
const fakePort = await freePort();
const baseUrl = `http://127.0.0.1:${port}`;
const fakes = `http://127.0.0.1:${fakePort}`;
mkdirSync('.wrangler', { recursive: true }); // a fresh clone has none yet
const persistTo = mkdtempSync('.wrangler/postman-');
const providers = spawn('node', ['scripts/fake-providers.mjs'], {
  stdio: 'ignore',
  detached: true,
  env: { ...process.env, PORT: String(fakePort) },
});
const vars = [
  `RAZORPAY_API_URL:${fakes}/razorpay`,
  `STRIPE_API_URL:${fakes}/stripe`,
  'RAZORPAY_KEY_ID:rzp_test_postman',
  `CRM_WEBHOOK_URL:${fakes}/crm`,
];
const server = spawn(
  'node',
  [
    'scripts/start.mjs',
    '--port',
    String(port),
    '--persist-to',
    persistTo,
    '--log-level',
    'warn',
    ...vars.flatMap((v) => ['--var', v]),
  ],
  { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
);
let serverLog = '';
server.stdout.on('data', (chunk) => (serverLog += chunk));
server.stderr.on('data', (chunk) => (serverLog += chunk));

const stop = () => {
  for (const child of [server, providers]) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
};

let exitCode = 1;
try {
  await waitForHealth(baseUrl, server);
  const summary = await runNewman(baseUrl);
  const { requests, assertions } = summary.run.stats;
  const failures = summary.run.failures.length;
  console.log(
    `newman: ${requests.total} requests (${requests.failed} failed), ${assertions.total} assertions (${assertions.failed} failed), ${failures} failures`,
  );
  exitCode = failures === 0 && assertions.failed === 0 && requests.failed === 0 ? 0 : 1;
} catch (error) {
  console.error(`test:postman: ${error.message}`);
  console.error(serverLog.slice(-4000));
} finally {
  stop();
  await new Promise((r) => setTimeout(r, 500));
  rmSync(persistTo, { recursive: true, force: true });
}
process.exit(exitCode);
