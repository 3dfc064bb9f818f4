/** Wall-clock time in an IANA time zone, and back to an instant: what recurring classes need across DST changes. */

export interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall clock in `timeZone` at an instant. */
export function wallClockAt(instant: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

const asUtc = (w: WallClock) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/** How far `timeZone` is ahead of UTC at an instant, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  return asUtc(wallClockAt(instant, timeZone)) - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a wall-clock time in `timeZone` stands for. Like Temporal's 'compatible' disambiguation: a time that
 * happens twice (clocks go back) is the earlier one; a time skipped by clocks going forward is moved forward by the gap
 * (01:30 on a spring-forward night at 01:00 is 02:30).
 */
export function instantOf(wall: WallClock, timeZone: string): number {
  const naive = asUtc(wall);
  const before = offsetAt(naive - 86_400_000, timeZone);
  const after = offsetAt(naive + 86_400_000, timeZone);
  // Try the offsets in force just before and just after; keep those that give this wall clock back.
  const candidates = [naive - before, naive - after].filter((t) => asUtc(wallClockAt(t, timeZone)) === naive);
  if (candidates.length > 0) return Math.min(...candidates);
  // A skipped time: the offset before the gap, which lands after it.
  return naive - before;
}

/** The calendar date `days` after a wall clock's date, keeping its time of day (pure calendar arithmetic). */
export function addDays(wall: WallClock, days: number): WallClock {
  const date = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + days));
  return { ...wall, year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** 0 = Monday ... 6 = Sunday, as RRULE weeks start (WKST=MO). */
export function weekdayOf(wall: WallClock): number {
  return (new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay() + 6) % 7;
}
