const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))?$/i;

/**
 * ISO 8601 date and time, with an offset (`+05:30`, `Z`) or without one, which means UTC. Parsed by hand so an
 * impossible date (Feb 30, hour 24) is refused instead of silently rolled over, and the offset is never dropped.
 */
export function parseInstant(text: string): Date | null {
  const m = ISO_INSTANT.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second = 0] = m.slice(1, 7).map((part) => Number(part ?? 0)) as number[];
  const millis = Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000);
  const utc = Date.UTC(year!, month! - 1, day!, hour, minute, second, millis);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day) return null;
  if (hour! > 23 || minute! > 59 || second > 59) return null;
  const offsetHours = Number(m[10] ?? 0);
  const offsetMinutes = Number(m[11] ?? 0);
  if (offsetHours > 14 || offsetMinutes > 59) return null;
  const sign = m[9] === '-' ? -1 : 1;
  return new Date(utc - sign * (offsetHours * 60 + offsetMinutes) * 60_000);
}
