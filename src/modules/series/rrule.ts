import { addDays, instantOf, wallClockAt, weekdayOf, type WallClock } from '../../lib/zoned-time';

/**
 * The contract's RFC 5545 RRULE subset: FREQ=DAILY|WEEKLY, INTERVAL (1-52), BYDAY (MO..SU, WEEKLY only), and at most one
 * of COUNT (1-365) or UNTIL (UTC `YYYYMMDDTHHMMSSZ`, or a date). Written here rather than taken from a library: the subset
 * is small, and the one thing that matters most, keeping the local wall-clock time across DST changes, is done by
 * lib/zoned-time.ts with the runtime's own time-zone data (the `rrule` package is known to get DST wrong).
 */
export interface RecurrenceRule {
  freq: 'DAILY' | 'WEEKLY';
  interval: number;
  /** 0 = Monday ... 6 = Sunday; empty means the weekday of the first occurrence. */
  byDay: number[];
  count: number | null;
  until: Date | null;
}

export const MAX_COUNT = 365;
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const KNOWN = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'COUNT', 'UNTIL']);

/** Parses the subset; returns the problems (for `validation_failed` issues on `rrule`) or the rule. */
export function parseRrule(text: string): { rule: RecurrenceRule } | { problems: string[] } {
  const problems: string[] = [];
  const parts = new Map<string, string>();
  for (const part of text
    .trim()
    .replace(/^RRULE:/i, '')
    .split(';')
    .filter(Boolean)) {
    const [key, value, ...rest] = part.split('=');
    const name = (key ?? '').trim().toUpperCase();
    if (!value || rest.length > 0) problems.push(`"${part}" is not NAME=VALUE`);
    else if (!KNOWN.has(name)) problems.push(`${name} is not supported (only FREQ, INTERVAL, BYDAY, COUNT, UNTIL)`);
    else if (parts.has(name)) problems.push(`${name} is given twice`);
    else parts.set(name, value.trim().toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY') problems.push('FREQ must be DAILY or WEEKLY');
  const intervalText = parts.get('INTERVAL') ?? '1';
  const interval = /^\d{1,2}$/.test(intervalText) ? Number(intervalText) : NaN;
  if (!(interval >= 1 && interval <= 52)) problems.push('INTERVAL must be a whole number from 1 to 52');
  const byDay: number[] = [];
  if (parts.has('BYDAY')) {
    if (freq !== 'WEEKLY') problems.push('BYDAY is only supported with FREQ=WEEKLY');
    for (const day of parts.get('BYDAY')!.split(',')) {
      const index = DAYS.indexOf(day.trim());
      if (index < 0) problems.push(`BYDAY "${day}" must be one of ${DAYS.join(', ')} (no ordinals)`);
      else if (byDay.includes(index)) problems.push(`BYDAY names ${day} twice`);
      else byDay.push(index);
    }
  }
  if (parts.has('COUNT') && parts.has('UNTIL')) problems.push('Give COUNT or UNTIL, not both');
  let count: number | null = null;
  if (parts.has('COUNT')) {
    count = /^\d{1,3}$/.test(parts.get('COUNT')!) ? Number(parts.get('COUNT')) : NaN;
    if (!(count >= 1 && count <= MAX_COUNT)) problems.push(`COUNT must be a whole number from 1 to ${MAX_COUNT}`);
  }
  let until: Date | null = null;
  if (parts.has('UNTIL')) {
    until = parseUntil(parts.get('UNTIL')!);
    if (!until) problems.push('UNTIL must be YYYYMMDDTHHMMSSZ (UTC) or YYYYMMDD');
  }
  if (problems.length > 0) return { problems };
  return { rule: { freq: freq as RecurrenceRule['freq'], interval, byDay: byDay.sort(), count, until } };
}

function parseUntil(text: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as number[];
  // A date alone means the whole of that day (UTC), so an occurrence on it is included.
  const ms =
    m[4] === undefined ? Date.UTC(year!, month! - 1, day! + 1) - 1 : Date.UTC(year!, month! - 1, day!, hour, minute, second);
  const check = new Date(ms);
  if (
    m[4] === undefined ? check.getUTCDate() !== day : check.getUTCDate() !== day || hour! > 23 || minute! > 59 || second! > 59
  ) {
    return null;
  }
  return check;
}

/**
 * The occurrences' starts, in order: the first is `first` itself (RFC 5545: DTSTART always counts), then every day or
 * week the rule names, each at the first occurrence's wall-clock time in `timeZone`. Stops at COUNT, UNTIL, `before`
 * (exclusive) or `max` occurrences, whichever comes first; `after` (exclusive) skips the ones already made.
 */
export function occurrences(
  rule: RecurrenceRule,
  first: Date,
  timeZone: string,
  window: { after?: number; before: number; max: number },
): number[] {
  const start = wallClockAt(first.getTime(), timeZone);
  const weekdays = rule.freq === 'WEEKLY' ? (rule.byDay.length ? rule.byDay : [weekdayOf(start)]) : [];
  const found: number[] = [];
  let made = 0;
  const consider = (wall: WallClock) => {
    const at = instantOf(wall, timeZone);
    if (at < first.getTime()) return true;
    if ((rule.until && at > rule.until.getTime()) || at >= window.before || (rule.count !== null && made >= rule.count)) {
      return false;
    }
    made++;
    if (window.after === undefined || at > window.after) found.push(at);
    return found.length < window.max;
  };
  if (!consider(start)) return found;
  if (rule.freq === 'DAILY') {
    for (let k = 1; ; k++) if (!consider(addDays(start, k * rule.interval))) return found;
  }
  // WEEKLY: weeks start on Monday; every INTERVAL-th week from the first occurrence's, each named weekday in it.
  const weekStart = addDays(start, -weekdayOf(start));
  for (let week = 0; ; week += rule.interval) {
    for (const weekday of weekdays) {
      const wall = addDays(weekStart, week * 7 + weekday);
      if (week === 0 && weekday <= weekdayOf(start)) continue; // the first occurrence and the days before it
      if (!consider(wall)) return found;
    }
  }
}
