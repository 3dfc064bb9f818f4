import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { calendarText, escapeText, foldLine } from '../../src/modules/calendar/ical';

/**
 * The iCalendar writer against ical.js, an independent RFC 5545 parser, on the node side: escaping, folding at 75
 * octets without splitting UTF-8 sequences, CRLF, UTC times. (The workers tests parse the routes' own answers.)
 */
const encoder = new TextEncoder();

function parse(text: string) {
  return new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent').map((vevent) => new ICAL.Event(vevent));
}

describe('iCalendar writer (parsed by ical.js)', () => {
  const tricky = 'Yoga, breath; and \\ back-slashes\r\nsecond line\nthird — 瞑想 🧘 '.repeat(4);
  const text = calendarText(
    [
      {
        uid: 'event-1@ahoum',
        revisedAt: new Date('2026-11-01T10:00:00Z'),
        startsAt: new Date('2026-12-01T04:00:00.250Z'),
        endsAt: new Date('2026-12-01T05:30:00Z'),
        summary: tricky,
        description: tricky,
        location: 'Rishikesh, Uttarakhand; India',
        latitude: 30.0869,
        longitude: 78.2676,
        status: 'CANCELLED',
        sequence: 3,
      },
    ],
    { name: 'Ahoum, mine', refreshMinutes: 60 },
  );

  it('round-trips every value through a real parser', () => {
    const [event] = parse(text);
    expect(event!.uid).toBe('event-1@ahoum');
    expect(event!.summary).toBe(tricky.replace(/\r\n/g, '\n'));
    expect(event!.description).toBe(tricky.replace(/\r\n/g, '\n'));
    expect(event!.location).toBe('Rishikesh, Uttarakhand; India');
    expect(event!.sequence).toBe(3);
    expect(event!.startDate.toJSDate().toISOString()).toBe('2026-12-01T04:00:00.000Z');
    expect(event!.endDate.toJSDate().toISOString()).toBe('2026-12-01T05:30:00.000Z');
    expect(event!.startDate.zone.tzid).toBe('UTC');
    expect(event!.component.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(event!.component.getFirstPropertyValue('geo')).toEqual([30.0869, 78.2676]);
  });

  it('ends every line with CRLF and folds at 75 octets without splitting a character', () => {
    expect(text.endsWith('\r\n')).toBe(true);
    const lines = text.slice(0, -2).split('\r\n');
    for (const line of lines) {
      expect(line).not.toMatch(/[\r\n]/);
      expect(encoder.encode(line).length).toBeLessThanOrEqual(75);
      expect(line).not.toContain('\uFFFD');
    }
    expect(lines.some((line) => line.startsWith(' '))).toBe(true);
    expect(text).toContain('DTSTART:20261201T040000Z');
  });

  it('escapes backslash, semicolon, comma and newlines', () => {
    expect(escapeText('a,b;c\\d\ne\r\nf')).toBe('a\\,b\\;c\\\\d\\ne\\nf');
  });

  it.each([
    ['Devanagari (3 octets)', 'प्राणायाम'],
    ['emoji (4 octets, two UTF-16 units)', '🧘‍♀️ Yoga 🕉️'],
    ['Latin-1 and Greek (2 octets)', 'Méditation ΩΨ'],
  ])('folds multi-byte text at character boundaries: %s', (_label, word) => {
    const line = `SUMMARY:${word.repeat(20)}`;
    const parts = foldLine(line).split('\r\n');
    expect(parts.length).toBeGreaterThan(1);
    for (const [i, part] of parts.entries()) {
      expect(encoder.encode(part).length).toBeLessThanOrEqual(75);
      // Every line but the last is full: the next character would not have fitted.
      if (i < parts.length - 1) expect(encoder.encode(part).length).toBeGreaterThan(75 - 4);
      // No surrogate pair split across lines.
      expect(part).not.toMatch(/[\uD800-\uDBFF]$/);
    }
    expect(parts.map((part, i) => (i === 0 ? part : part.slice(1))).join('')).toBe(line);
  });
});
