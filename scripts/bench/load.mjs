// The load generator: wrk (Debian's `wrk`, cheap on CPU) when installed, else autocannon. Both replay a list of
// requests round-robin over their connections, so a scenario can give every request its own user or event.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** wrk's version when it is installed (BENCH_LOAD_GENERATOR=autocannon forces the fallback). */
export const WRK =
  process.env.BENCH_LOAD_GENERATOR === 'autocannon'
    ? null
    : (spawnSync('wrk', ['--version'], { encoding: 'utf8' }).stdout?.match(/wrk (\S+)/)?.[1] ?? null);

/**
 * wrk script: every thread loads the request list and pre-formats it; thread k of n sends items k, k+n, k+2n, ...
 * so no item is sent twice until the list wraps. `done` prints one JSON line the bench parses.
 */
const wrkScript = (listPath, threads) => `
local threads, next_id = ${threads}, 0
function setup(thread) thread:set("tid", next_id); next_id = next_id + 1 end
local reqs, counter = {}, 0
function init(args)
  for line in io.lines("${listPath}") do
    local m, p, a, b = line:match("^([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)$")
    local h = {}
    if a ~= "-" then h["Authorization"] = "Bearer " .. a end
    if b ~= "-" then h["Content-Type"] = "application/json" else b = nil end
    reqs[#reqs + 1] = wrk.format(m, p, h, b)
  end
  counter = tid
end
function request()
  local r = reqs[(counter % #reqs) + 1]
  counter = counter + threads
  return r
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH_JSON {"requests":%d,"duration_us":%d,"non2xx":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

function runWrk({ url, requests, seconds, connections, threads, timeoutSeconds, workDir, label }) {
  const listPath = join(workDir, `${label}.requests.tsv`);
  const scriptPath = join(workDir, `${label}.lua`);
  const line = (r) => [r.method, r.path, r.token ?? '-', r.body === undefined ? '-' : JSON.stringify(r.body)].join('\t');
  writeFileSync(listPath, `${requests.map(line).join('\n')}\n`);
  writeFileSync(scriptPath, wrkScript(listPath, threads));
  const args = ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--timeout', `${timeoutSeconds}s`];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', [...args, '-s', scriptPath, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('exit', () => {
      const json = /BENCH_JSON (\{.*\})/.exec(out)?.[1];
      if (!json) return reject(new Error(`wrk gave no result:\n${out}`));
      const r = JSON.parse(json);
      resolve({
        requests: r.requests,
        rps: r.requests / (r.duration_us / 1e6),
        p50: r.p50_us / 1000,
        p99: r.p99_us / 1000,
        errors: r.non2xx + r.socket_errors,
      });
    });
  });
}

async function runAutocannon({ url, requests, seconds, connections, timeoutSeconds }) {
  const { default: autocannon } = await import('autocannon');
  let next = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    timeout: timeoutSeconds,
    requests: [
      {
        setupRequest: (request) => {
          const r = requests[next++ % requests.length];
          const headers = { ...request.headers };
          if (r.token) headers.authorization = `Bearer ${r.token}`;
          if (r.body !== undefined) headers['content-type'] = 'application/json';
          return {
            ...request,
            method: r.method,
            path: r.path,
            headers,
            body: r.body === undefined ? undefined : JSON.stringify(r.body),
          };
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * Drives one scenario: `warmupSeconds` first (not measured; `warmup` requests if given, so scenarios that must not
 * repeat an item use a separate list), then `beforeMeasure()`, then `seconds` measured.
 * `requests`: [{ method, path, token?, body? }].
 */
export async function measure(options) {
  const run = WRK ? runWrk : runAutocannon;
  const { warmupSeconds = 0, warmup, beforeMeasure } = options;
  if (warmupSeconds > 0) {
    await run({ ...options, requests: warmup ?? options.requests, seconds: warmupSeconds, label: `${options.label}.warmup` });
  }
  await beforeMeasure?.();
  return run(options);
}

export function loadGenerator() {
  if (WRK) return `wrk ${WRK}`;
  const { version } = createRequire(import.meta.url)('autocannon/package.json');
  return `autocannon ${version}`;
}
