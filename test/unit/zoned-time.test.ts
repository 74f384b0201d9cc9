/**
 * functions/shared/zoned-time.ts against luxon (what it replaces in the bundles, issue 19), in zones
 * the runtime knows, on ordinary and daylight-saving days. One difference is deliberate: a local
 * time that a fall-back repeats is its first occurrence, where luxon picks by the season the
 * process runs in (in winter the second).
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  clockLabel,
  instantOf,
  daysBetween,
  isCalendarDate,
  isoWeekday,
  offsetChangesOn,
  zonedClock,
  zonedDate,
  zonedInstant,
  zonedIso,
  zonedOffsetMinutes,
} from '../../functions/shared/zoned-time';
import { NORTH_AMERICAN_ZONES } from './time-zones';

const zones = Intl.supportedValuesOf('timeZone');
const zone = fc.oneof(fc.constantFrom(...NORTH_AMERICAN_ZONES), fc.constantFrom(...zones));
const date = fc
  .integer({ min: Date.UTC(2020, 0, 1) / 86_400_000, max: Date.UTC(2030, 11, 31) / 86_400_000 })
  .map((day) => new Date(day * 86_400_000).toISOString().slice(0, 10));
const clock = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45, 59))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

/** Days whose offset changes in the zone (and a plain day beside each), so DST is not left to chance. */
function transitionDays(timeZone: string, year: number): string[] {
  const days: string[] = [];
  for (let d = DateTime.fromISO(`${year}-01-01`, { zone: 'UTC' }); d.year === year; d = d.plus({ days: 1 })) {
    const iso = d.toISODate()!;
    const midnight = DateTime.fromISO(iso, { zone: timeZone });
    if (midnight.offset !== midnight.plus({ days: 1 }).offset) days.push(iso, d.minus({ days: 1 }).toISODate()!);
  }
  return days;
}

function checkInstant(day: string, time: string, timeZone: string): void {
  const ours = zonedInstant(day, timeZone, time);
  const theirs = DateTime.fromISO(`${day}T${time}`, { zone: timeZone });
  // Both readings of a repeated time show the same clock; ours is the earlier one.
  const sameClock = DateTime.fromJSDate(ours, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm') === theirs.toFormat('yyyy-MM-dd HH:mm');
  if (ours.getTime() !== theirs.toMillis()) {
    expect(sameClock).toBe(true);
    expect(ours.getTime()).toBeLessThan(theirs.toMillis());
  }
}

function checkLocal(at: Date, timeZone: string): void {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  expect(zonedDate(at, timeZone)).toBe(local.toISODate());
  expect(zonedClock(at, timeZone)).toBe(local.toFormat('HH:mm'));
  expect(zonedOffsetMinutes(at, timeZone)).toBe(local.offset);
}

describe('zoned time', () => {
  it('a local date and time is the instant luxon gives it (a repeated time: its first occurrence)', () => {
    fc.assert(
      fc.property(date, clock, zone, (day, time, timeZone) => checkInstant(day, time, timeZone)),
      { numRuns: 1000 },
    );
  });

  it('on daylight-saving days in North American zones too: skipped times move forward, repeated ones come first', () => {
    for (const timeZone of NORTH_AMERICAN_ZONES)
      for (const day of [...transitionDays(timeZone, 2026), ...transitionDays(timeZone, 2027)])
        for (const time of ['00:00', '00:30', '01:00', '01:30', '01:59', '02:00', '02:30', '03:00', '03:30', '08:00', '23:30']) {
          checkInstant(day, time, timeZone);
          checkLocal(new Date(zonedInstant(day, timeZone, time).getTime() + 61_000), timeZone);
        }
    // Chicago, 2026-11-01: 01:30 happens twice; it is the first (CDT, -5), 06:30Z.
    expect(zonedInstant('2026-11-01', 'America/Chicago', '01:30').toISOString()).toBe('2026-11-01T06:30:00.000Z');
    // Chicago, 2026-03-08: 02:30 does not happen; it is 03:30 CDT.
    expect(zonedInstant('2026-03-08', 'America/Chicago', '02:30').toISOString()).toBe('2026-03-08T08:30:00.000Z');
  });

  it('a daylight-saving day is one whose offset luxon shows changing, however often it is asked', () => {
    for (const timeZone of NORTH_AMERICAN_ZONES)
      for (const day of [...transitionDays(timeZone, 2026), ...transitionDays(timeZone, 2027)])
        for (let asked = 0; asked < 2; asked++) {
          const midnight = DateTime.fromISO(day, { zone: timeZone });
          expect(offsetChangesOn(day, timeZone)).toBe(midnight.offset !== midnight.plus({ days: 1 }).offset);
        }
    expect(offsetChangesOn('2026-03-08', 'America/Chicago')).toBe(true);
    expect(offsetChangesOn('2026-03-09', 'America/Chicago')).toBe(false);
    expect(offsetChangesOn('2026-03-08', 'America/Phoenix')).toBe(false);
  });

  it('answers kept per container are the answers: a caller changing its Date, or more questions than are kept, change none', () => {
    const asked = zonedInstant('2026-03-08', 'America/Chicago', '02:30');
    asked.setTime(0);
    expect(zonedInstant('2026-03-08', 'America/Chicago', '02:30').toISOString()).toBe('2026-03-08T08:30:00.000Z');
    // Far more distinct questions than kept answers (a container serving many zones for years of dates), then the first again.
    for (let day = 0; day < 6000; day++) zonedInstant(addDays('2020-01-01', day), 'America/Denver', '10:00');
    expect(zonedInstant('2026-03-08', 'America/Chicago', '02:30').toISOString()).toBe('2026-03-08T08:30:00.000Z');
    checkInstant('2020-01-01', '10:00', 'America/Denver');
    checkInstant(addDays('2020-01-01', 5999), '10:00', 'America/Denver');
  });

  it('the date, clock and offset at an instant are luxon’s', () => {
    const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2031, 0, 1) }).map((ms) => new Date(ms));
    fc.assert(
      fc.property(instant, zone, (at, timeZone) => checkLocal(at, timeZone)),
      { numRuns: 1000 },
    );
  });

  it('calendar days and weekdays are luxon’s', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: -400, max: 400 }), (day, n) => {
        const utc = DateTime.fromISO(day, { zone: 'UTC' });
        expect(addDays(day, n)).toBe(utc.plus({ days: n }).toISODate());
        expect(isoWeekday(day)).toBe(utc.weekday);
        const later = addDays(day, n);
        expect(daysBetween(day, later)).toBe(DateTime.fromISO(later).diff(DateTime.fromISO(day), 'days').days);
      }),
    );
    for (const bad of ['2026-02-30', '2026-13-01', '2026-1-01', '20260101', '']) {
      expect(isCalendarDate(bad)).toBe(false);
      expect(daysBetween(bad, '2026-01-01')).toBeNaN();
    }
    expect(isCalendarDate('2028-02-29')).toBe(true);
  });

  it('months later are luxon’s: the same day of the month, or the last of a shorter month', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: -36, max: 36 }), (day, months) => {
        expect(addMonths(day, months)).toBe(DateTime.fromISO(day, { zone: 'UTC' }).plus({ months }).toISODate());
      }),
    );
    expect(addMonths('2027-01-31', 1)).toBe('2027-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-12-15', 12)).toBe('2027-12-15');
  });

  it('a clock time reads as luxon’s h:mm a; an instant is written as luxon’s toISO writes it, and read back as luxon reads it', () => {
    fc.assert(
      fc.property(clock, (hhmm) => {
        expect(clockLabel(hhmm)).toBe(DateTime.fromISO(`2026-01-05T${hhmm}`, { zone: 'UTC' }).toFormat('h:mm a'));
      }),
    );
    expect([clockLabel('00:05'), clockLabel('12:00'), clockLabel('23:59')]).toEqual(['12:05 AM', '12:00 PM', '11:59 PM']);
    const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2031, 0, 1) }).map((ms) => new Date(ms));
    fc.assert(
      fc.property(instant, zone, (at, timeZone) => {
        const written = DateTime.fromJSDate(at, { zone: timeZone }).toISO()!;
        expect(zonedIso(at, timeZone)).toBe(written);
        expect(+instantOf(written, 'UTC')).toBe(+DateTime.fromISO(written));
        expect(+instantOf(written, 'UTC')).toBe(+at);
      }),
      { numRuns: 300 },
    );
    // More fractional digits than milliseconds (a CRM's nanoseconds): the instant to the millisecond.
    expect(instantOf('2026-12-01T15:04:05.123456789123-06:00', 'UTC').toISOString()).toBe('2026-12-01T21:04:05.123Z');
  });
});
