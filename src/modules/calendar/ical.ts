/**
 * A focused RFC 5545 writer: the few properties our calendars carry, escaped and folded as the RFC says. Written here
 * rather than taken from `ical-generator` (~60 KB with its Luxon/Day.js adapters, built for Node) or `ics` (pulls in
 * yup and nanoid): the rules are short, and the node-side test parses our output with ical.js to hold us to them.
 */

/** TEXT values (RFC 5545 3.3.11): backslash, semicolon and comma escaped; any newline becomes `\n`. */
export function escapeText(value: string): string {
  return (
    value
      .replace(/\\/g, '\\\\')
      .replace(/;/g, '\\;')
      .replace(/,/g, '\\,')
      .replace(/\r\n|\r|\n/g, '\\n')
      // Other control characters are not allowed in a value (3.1); tabs survive.
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
  );
}

/** A UTC DATE-TIME (3.3.5, form #2): `20261201T093000Z`. */
export function utcDateTime(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

const MAX_OCTETS = 75;

/** Octets of a code point in UTF-8 (a lone surrogate is written as U+FFFD: 3). */
const utf8Size = (codePoint: number) => (codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4);

/**
 * Folds one content line (3.1): at most 75 octets per physical line, continuations starting with a space, never
 * splitting a UTF-8 sequence (a character is moved whole to the next line). Octets are counted from the code points,
 * not by encoding each character (which was most of a feed's CPU time).
 */
export function foldLine(line: string): string {
  // A UTF-16 code unit is at most 3 octets: a short line needs no counting.
  if (line.length * 3 <= MAX_OCTETS) return line;
  let folded = '';
  let start = 0;
  let octets = 0;
  let limit = MAX_OCTETS;
  for (let i = 0; i < line.length;) {
    const codePoint = line.codePointAt(i)!;
    const size = utf8Size(codePoint);
    if (octets + size > limit) {
      folded += `${line.slice(start, i)}\r\n `;
      start = i;
      octets = 0;
      limit = MAX_OCTETS - 1; // the leading space of a continuation counts
    }
    octets += size;
    i += codePoint > 0xffff ? 2 : 1;
  }
  return folded + line.slice(start);
}

export interface CalendarEvent {
  uid: string;
  /** DTSTAMP and LAST-MODIFIED: when this information was last revised (no METHOD, so 3.8.7.2 asks for that). */
  revisedAt: Date;
  startsAt: Date;
  endsAt: Date;
  summary: string;
  description?: string;
  location?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  status: 'CONFIRMED' | 'TENTATIVE' | 'CANCELLED';
  sequence: number;
  url?: string;
}

function eventLines(event: CalendarEvent): string[] {
  const lines = [
    'BEGIN:VEVENT',
    `UID:${event.uid}`,
    `DTSTAMP:${utcDateTime(event.revisedAt)}`,
    `LAST-MODIFIED:${utcDateTime(event.revisedAt)}`,
    `DTSTART:${utcDateTime(event.startsAt)}`,
    `DTEND:${utcDateTime(event.endsAt)}`,
    `SEQUENCE:${event.sequence}`,
    `STATUS:${event.status}`,
    `SUMMARY:${escapeText(event.summary)}`,
  ];
  if (event.description) lines.push(`DESCRIPTION:${escapeText(event.description)}`);
  if (event.location) lines.push(`LOCATION:${escapeText(event.location)}`);
  if (event.latitude != null && event.longitude != null) lines.push(`GEO:${event.latitude};${event.longitude}`);
  if (event.url) lines.push(`URL:${event.url}`);
  lines.push('END:VEVENT');
  return lines;
}

export interface CalendarOptions {
  /** X-WR-CALNAME: the name Google and Apple show for a subscribed calendar. */
  name?: string;
  /** How often a subscriber should refresh (REFRESH-INTERVAL, RFC 7986, and Apple/Google's X-PUBLISHED-TTL). */
  refreshMinutes?: number;
}

/** A whole VCALENDAR, CRLF line ends and folded lines, ending with CRLF. */
export function calendarText(events: CalendarEvent[], options: CalendarOptions = {}): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Ahoum//Booking API//EN', 'CALSCALE:GREGORIAN'];
  if (options.name) lines.push(`NAME:${escapeText(options.name)}`, `X-WR-CALNAME:${escapeText(options.name)}`);
  if (options.refreshMinutes) {
    lines.push(`REFRESH-INTERVAL;VALUE=DURATION:PT${options.refreshMinutes}M`, `X-PUBLISHED-TTL:PT${options.refreshMinutes}M`);
  }
  for (const event of events) lines.push(...eventLines(event));
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

export const CALENDAR_CONTENT_TYPE = 'text/calendar; charset=utf-8';
