import { describe, expect, it } from 'vitest';
import { occurrences, parseRrule, type RecurrenceRule } from '../../src/modules/series/rrule';

const FAR = Date.UTC(2030, 0, 1);
const rule = (text: string): RecurrenceRule => {
  const parsed = parseRrule(text);
  if (!('rule' in parsed)) throw new Error(parsed.problems.join('; '));
  return parsed.rule;
};
const iso = (times: number[]) => times.map((t) => new Date(t).toISOString());
const expand = (text: string, first: string, timeZone: string, max = 400) =>
  iso(occurrences(rule(text), new Date(first), timeZone, { before: FAR, max }));

describe('occurrences keep the local wall-clock time across DST', () => {
  it('Europe/London weekly 07:00 across the March switch: 07:00Z in winter, 06:00Z in summer', () => {
    expect(expand('FREQ=WEEKLY;COUNT=4', '2027-03-21T07:00:00Z', 'Europe/London')).toEqual([
      '2027-03-21T07:00:00.000Z',
      '2027-03-28T06:00:00.000Z', // clocks went forward that night (BST)
      '2027-04-04T06:00:00.000Z',
      '2027-04-11T06:00:00.000Z',
    ]);
  });

  it('Europe/London weekly 07:00 across the October switch back to GMT', () => {
    expect(expand('FREQ=WEEKLY;COUNT=3', '2027-10-24T06:00:00Z', 'Europe/London')).toEqual([
      '2027-10-24T06:00:00.000Z',
      '2027-10-31T07:00:00.000Z',
      '2027-11-07T07:00:00.000Z',
    ]);
  });

  it('America/New_York: 18:30 stays 18:30 across the March and November switches', () => {
    const spring = expand('FREQ=WEEKLY;COUNT=2', '2027-03-07T23:30:00Z', 'America/New_York');
    expect(spring).toEqual(['2027-03-07T23:30:00.000Z', '2027-03-14T22:30:00.000Z']);
    const autumn = expand('FREQ=WEEKLY;COUNT=2', '2027-10-31T22:30:00Z', 'America/New_York');
    expect(autumn).toEqual(['2027-10-31T22:30:00.000Z', '2027-11-07T23:30:00.000Z']);
  });

  it('a wall-clock time the spring-forward night skips moves forward by the gap; a repeated one is the first', () => {
    // New York, 14 March 2027: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist that night.
    expect(expand('FREQ=WEEKLY;COUNT=3', '2027-03-07T07:30:00Z', 'America/New_York')).toEqual([
      '2027-03-07T07:30:00.000Z', // 02:30 EST
      '2027-03-14T07:30:00.000Z', // 03:30 EDT (02:30 was skipped)
      '2027-03-21T06:30:00.000Z', // 02:30 EDT
    ]);
    // 7 November 2027: 01:30 happens twice (EDT, then EST); the earlier is taken.
    expect(expand('FREQ=WEEKLY;COUNT=2', '2027-10-31T05:30:00Z', 'America/New_York')).toEqual([
      '2027-10-31T05:30:00.000Z', // 01:30 EDT
      '2027-11-07T05:30:00.000Z', // 01:30 EDT, the first of the two
    ]);
  });

  it('Asia/Kolkata (no DST): the same UTC time all year', () => {
    const times = expand('FREQ=WEEKLY;COUNT=52', '2027-01-04T01:30:00Z', 'Asia/Kolkata');
    expect(times).toHaveLength(52);
    expect(new Set(times.map((t) => t.slice(11)))).toEqual(new Set(['01:30:00.000Z']));
  });
});

describe('the RRULE subset', () => {
  it('BYDAY with several days, starting mid-week; DTSTART always counts as the first', () => {
    expect(expand('FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=5', '2027-01-06T01:30:00Z', 'Asia/Kolkata')).toEqual([
      '2027-01-06T01:30:00.000Z', // Wednesday
      '2027-01-08T01:30:00.000Z', // Friday
      '2027-01-11T01:30:00.000Z', // Monday
      '2027-01-13T01:30:00.000Z',
      '2027-01-15T01:30:00.000Z',
    ]);
  });

  it('INTERVAL=2: every other week (and every other day)', () => {
    expect(expand('FREQ=WEEKLY;INTERVAL=2;COUNT=3', '2027-01-04T07:00:00Z', 'UTC')).toEqual([
      '2027-01-04T07:00:00.000Z',
      '2027-01-18T07:00:00.000Z',
      '2027-02-01T07:00:00.000Z',
    ]);
    expect(expand('FREQ=DAILY;INTERVAL=2;COUNT=3', '2027-01-30T07:00:00Z', 'UTC')).toEqual([
      '2027-01-30T07:00:00.000Z',
      '2027-02-01T07:00:00.000Z',
      '2027-02-03T07:00:00.000Z',
    ]);
  });

  it('UNTIL as a UTC time and as a date (the whole day)', () => {
    expect(expand('FREQ=DAILY;UNTIL=20270103T070000Z', '2027-01-01T07:00:00Z', 'UTC')).toHaveLength(3);
    expect(expand('FREQ=DAILY;UNTIL=20270103T065959Z', '2027-01-01T07:00:00Z', 'UTC')).toHaveLength(2);
    expect(expand('FREQ=DAILY;UNTIL=20270103', '2027-01-01T07:00:00Z', 'UTC')).toHaveLength(3);
  });

  it('stops at 365 at once, and skips what was made already', () => {
    const all = occurrences(rule('FREQ=DAILY'), new Date('2027-01-01T07:00:00Z'), 'UTC', { before: FAR, max: 365 });
    expect(all).toHaveLength(365);
    const next = occurrences(rule('FREQ=DAILY'), new Date('2027-01-01T07:00:00Z'), 'UTC', {
      after: all[364],
      before: FAR,
      max: 2,
    });
    expect(iso(next)).toEqual(['2028-01-01T07:00:00.000Z', '2028-01-02T07:00:00.000Z']);
    const counted = occurrences(rule('FREQ=DAILY;COUNT=3'), new Date('2027-01-01T07:00:00Z'), 'UTC', {
      after: Date.UTC(2027, 0, 1, 7),
      before: FAR,
      max: 10,
    });
    expect(counted).toHaveLength(2); // COUNT counts from the first occurrence, made or not
  });

  it.each([
    'FREQ=MONTHLY',
    'FREQ=YEARLY;COUNT=2',
    'FREQ=WEEKLY;BYMONTH=1',
    'FREQ=WEEKLY;BYSETPOS=1;BYDAY=MO',
    'FREQ=DAILY;BYDAY=MO',
    'FREQ=WEEKLY;BYDAY=1MO',
    'FREQ=WEEKLY;BYDAY=XX',
    'FREQ=WEEKLY;INTERVAL=0',
    'FREQ=WEEKLY;INTERVAL=53',
    'FREQ=WEEKLY;COUNT=0',
    'FREQ=WEEKLY;COUNT=366',
    'FREQ=WEEKLY;COUNT=2;UNTIL=20270101',
    'FREQ=WEEKLY;UNTIL=2027-01-01',
    'FREQ=WEEKLY;WKST=SU',
    'FREQ=WEEKLY;FREQ=DAILY',
    'INTERVAL=2',
    'FREQ',
    '',
  ])('refuses %j with a problem to show', (text) => {
    const parsed = parseRrule(text);
    expect('problems' in parsed && parsed.problems.length).toBeGreaterThan(0);
  });
});
