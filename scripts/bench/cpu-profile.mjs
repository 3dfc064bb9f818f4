// Optional V8 CPU profile of the app's isolate while a scenario runs (BENCH_CPU_PROFILE=event,book,...), through
// workerd's inspector. Prints where the isolate's time goes, by function and source file (mapped through the
// bundle's source map), and writes a .cpuprofile that Chrome DevTools opens.
import { readFileSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

function connect(url) {
  const socket = new WebSocket(url);
  let nextId = 1;
  const pending = new Map();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data));
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  const opened = new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve);
    socket.addEventListener('error', reject);
  });
  return { opened, send, close: () => socket.close() };
}

/** Starts sampling the named worker's isolate; the returned function stops and returns the profile. */
export async function startCpuProfile(inspectorPort, workerName) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  const target = targets.find((t) => t.id === `core:user:${workerName}`);
  if (!target) throw new Error(`no inspector target for ${workerName}`);
  const session = connect(target.webSocketDebuggerUrl);
  await session.opened;
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 200 });
  await session.send('Profiler.start');
  return async () => {
    const { result } = await session.send('Profiler.stop');
    session.close();
    return result.profile;
  };
}

/**
 * `hono/dist/context.js` for a dependency, `src/modules/events/routes.ts` for our own code. drizzle-orm's published source
 * maps point one folder too high (`node_modules/src/entity.ts`), so those are its files.
 */
const sourceName = (path) =>
  path.includes('node_modules/')
    ? path.replace(/^.*node_modules\/src\//, 'drizzle-orm/src/').replace(/^.*node_modules\//, '')
    : path.replace(/^.*?\/?(src|test)\//, '$1/');

/** Self time per function, with bundle positions mapped back to source files through the bundle's map. */
export function summarise(profile, bundlePath, top = 20) {
  let map = null;
  try {
    map = new SourceMap(JSON.parse(readFileSync(`${bundlePath}.map`, 'utf8')));
  } catch {
    // no source map: bundle positions are shown as they are
  }
  const bundleName = bundlePath.split('/').at(-1);
  const interval = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
  const selfMs = new Map();
  const byGroup = new Map();
  let totalMs = 0;
  for (const node of profile.nodes) {
    const ms = (node.hitCount ?? 0) * interval;
    if (ms === 0) continue;
    totalMs += ms;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    let where = url ? `${url.split('/').at(-1)}:${lineNumber + 1}` : '';
    // Only frames of the bundle itself map through its source map; workerd's built-in modules keep their names.
    const entry = map && url.endsWith(bundleName) ? map.findEntry(lineNumber, columnNumber) : null;
    if (entry?.originalSource) where = `${sourceName(entry.originalSource)}:${entry.originalLine + 1}`;
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    selfMs.set(key, (selfMs.get(key) ?? 0) + ms);
    const group = !entry?.originalSource
      ? url
        ? 'workerd built-ins'
        : functionName.startsWith('(')
          ? functionName
          : 'runtime (native)'
      : sourceName(entry.originalSource).split('/')[0].replace(/^src$/, 'our code (src/)');
    byGroup.set(group, (byGroup.get(group) ?? 0) + ms);
  }
  const rows = [...selfMs.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const share = ([name, ms]) => ({ name, ms, share: ms / totalMs });
  return { totalMs, rows: rows.map(share), groups: [...byGroup.entries()].sort((a, b) => b[1] - a[1]).map(share) };
}

export function writeProfile(path, profile) {
  writeFileSync(path, JSON.stringify(profile));
}
