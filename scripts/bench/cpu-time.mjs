// CPU time the workerd process spends per request (isolates, D1 and queues all run in it), read from /proc.
// Unlike req/s it barely moves when other programs load the machine, so it is the steadier way to compare a route
// with its ceiling. Linux only; elsewhere it is simply not reported.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond = null;

/** The workerd process Miniflare spawned (a child of this process). */
export function workerdPid() {
  try {
    const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
    const line = out.split('\n').find((l) => /workerd/.test(l));
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    return line ? Number(line.trim().split(/\s+/)[0]) : null;
  } catch {
    return null;
  }
}

/** User + system CPU seconds used so far by the process, or null where /proc is not available. */
export function cpuSeconds(pid) {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return null;
  }
}
