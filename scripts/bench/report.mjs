// The one table of a bench run, as aligned text for the terminal and as Markdown for the README.
import os from 'node:os';
import { createRequire } from 'node:module';

const fixed = (value, digits) => (value === undefined || value === null ? '—' : value.toFixed(digits));
const thousands = (value) => (value === undefined ? '—' : Math.round(value).toLocaleString('en-US'));

export function machine() {
  const require = createRequire(import.meta.url);
  const miniflareRequire = createRequire(require.resolve('miniflare'));
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    workerd: miniflareRequire('workerd/package.json').version,
    miniflare: require('miniflare/package.json').version,
    wrangler: require('wrangler/package.json').version,
  };
}

/** The old ratio, with its own target when the scenario has one (`oldTarget`: POST /book ≥ 50% of one INSERT). */
const oldRatioCell = (target, ratio) =>
  target === undefined || ratio === undefined
    ? percent(ratio)
    : `${percent(ratio)} (≥ ${Math.round(target * 100)}% ${ratio >= target ? 'met' : 'missed'})`;

const percent = (ratio) => (ratio === undefined ? '—' : `${Math.round(ratio * 100)}%`);

/**
 * One row per scenario; `ratio` is against the ceiling measured in the same run. A scenario's `ceiling` is the one
 * its Ratio and Target use; `oldCeiling`, when given, is shown in the last two columns (the ceiling earlier tables
 * used, so their figures stay comparable). A ceiling not measured in the run (not selected, or its worker file does
 * not exist) shows —.
 */
export function rows(results) {
  const measured = (key) => results.find((c) => c.key === key && c.rps !== undefined);
  const withOld = results.some((r) => r.oldCeiling);
  return results.map((r) => {
    const ceiling = r.ceiling ? measured(r.ceiling) : undefined;
    const ratio = ceiling && r.rps !== undefined ? r.rps / ceiling.rps : undefined;
    const old = r.oldCeiling ? measured(r.oldCeiling) : undefined;
    const oldRatio = old && r.rps !== undefined ? r.rps / old.rps : undefined;
    const verdict = r.target === undefined || ratio === undefined ? '' : ratio >= r.target ? 'met' : 'missed';
    const label = (key, found) => (found ? found.short : key ? `${key} (not run)` : '—');
    return {
      Scenario: r.name,
      Conns: r.connections === undefined ? '—' : String(r.connections),
      'req/s': thousands(r.rps),
      'p50 ms': fixed(r.p50, 1),
      'p99 ms': fixed(r.p99, 1),
      Errors: r.skipped ? r.skipped : String(r.errors ?? '—'),
      'D1 trips': r.trips === undefined ? '—' : String(r.trips),
      'vs ceiling': label(r.ceiling, ceiling),
      Ratio: percent(ratio),
      'CPU µs/req': r.cpuUs === undefined ? '—' : thousands(r.cpuUs),
      'CPU ratio': ceiling?.cpuUs && r.cpuUs ? `${Math.round((ceiling.cpuUs / r.cpuUs) * 100)}%` : '—',
      Target: r.target === undefined ? '—' : `≥ ${Math.round(r.target * 100)}% ${verdict}`,
      ...(withOld
        ? { 'vs old ceiling': r.oldCeiling ? label(r.oldCeiling, old) : '—', 'Old ratio': oldRatioCell(r.oldTarget, oldRatio) }
        : {}),
    };
  });
}

export function textTable(tableRows) {
  const headers = Object.keys(tableRows[0]);
  const widths = headers.map((h) => Math.max(h.length, ...tableRows.map((row) => row[h].length)));
  const line = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [
    line(headers),
    line(widths.map((w) => '-'.repeat(w))),
    ...tableRows.map((row) => line(headers.map((h) => row[h]))),
  ].join('\n');
}

export function markdownTable(tableRows) {
  const headers = Object.keys(tableRows[0]);
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [
    line(headers),
    line(headers.map((_, i) => (i === 0 ? '---' : '---:'))),
    ...tableRows.map((row) => line(headers.map((h) => row[h]))),
  ].join('\n');
}

/** One request at a time through the profiling copy of the app: where each scenario's time goes. */
export function profileRows(results, profiles) {
  return results
    .filter((r) => profiles[r.key])
    .map((r) => {
      const p = profiles[r.key];
      const rowsRead = p.statements.reduce((sum, s) => sum + (s.rowsRead ?? 0), 0);
      return {
        Scenario: r.name,
        'D1 trips': String(p.trips),
        'D1 wait ms': fixed(p.d1Ms, 2),
        'Worker ms': fixed(p.totalMs, 2),
        'Body KiB': fixed(p.bytes / 1024, 1),
        'Rows read': String(rowsRead),
      };
    });
}
