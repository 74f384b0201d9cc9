/**
 * The schedules that moved from luxon to functions/shared/zoned-time.ts (issue 19: luxon was ~70 KB
 * and its init in ten bundles) give the answers luxon gave: when quiet hours end, when a day's
 * renewal notices go. The luxon versions below are the code they replace, kept here as the
 * reference, with one fix the property found: when the day's time is one a spring-forward skips (02:30
 * on the second Sunday of March in New York), luxon moved it to 03:30 and carried that into the next
 * day ("tomorrow at 03:30" where the company said 02:30); the next day's time is now the company's.
 * A time a fall-back repeats is its first occurrence (zoned-time.ts), where luxon may pick the second:
 * the same clock reading, an hour apart (`sameReading`).
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { quietHoursEnd } from '../../functions/notify/delivery';
import { renewalNoticeAt } from '../../functions/renewals/run-day';
import { NORTH_AMERICAN_ZONES } from './time-zones';

function luxonQuietHoursEnd(now: Date, quiet: { start: string; end: string }, timeZone: string): Date | undefined {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  const hhmm = local.toFormat('HH:mm');
  const overnight = quiet.start > quiet.end;
  const inside = overnight ? hhmm >= quiet.start || hhmm < quiet.end : hhmm >= quiet.start && hhmm < quiet.end;
  if (!inside) return undefined;
  const [h, m] = quiet.end.split(':').map(Number) as [number, number];
  let end = local.set({ hour: h, minute: m, second: 0, millisecond: 0 });
  if (end <= local) end = local.plus({ days: 1 }).set({ hour: h, minute: m, second: 0, millisecond: 0 });
  return end.toJSDate();
}

function luxonRenewalNoticeAt(at: Date, tenant: { timeZone: string; renewalNoticeHour?: number }): string {
  const local = DateTime.fromJSDate(at).setZone(tenant.timeZone);
  const hour = { hour: tenant.renewalNoticeHour ?? 10, minute: 0, second: 0, millisecond: 0 };
  let due = local.set(hour);
  if (due < local.startOf('hour')) due = local.plus({ days: 1 }).set(hour);
  return due < local ? at.toISOString() : due.toUTC().toISO()!;
}

/** The same instant, or the same reading of the company's clocks in the hour a fall-back repeats. */
function sameReading(ours: string | undefined, luxons: string | undefined, timeZone: string): void {
  if (ours === luxons) return;
  const reading = (iso: string | undefined) => iso && DateTime.fromISO(iso, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm');
  expect(reading(ours)).toBe(reading(luxons));
  expect(Math.abs(Date.parse(ours!) - Date.parse(luxons!))).toBe(3_600_000);
}

const zone = fc.constantFrom(...NORTH_AMERICAN_ZONES);
// Whole minutes from 2025 to 2028, and the hours around North America's daylight-saving changes.
const instant = fc.oneof(
  fc.integer({ min: Date.UTC(2025, 0, 1) / 60_000, max: Date.UTC(2028, 11, 31) / 60_000 }).map((minute) => new Date(minute * 60_000)),
  fc
    .tuple(fc.constantFrom(Date.UTC(2026, 2, 8), Date.UTC(2026, 10, 1), Date.UTC(2027, 2, 14)), fc.integer({ min: 0, max: 36 * 60 }))
    .map(([day, minute]) => new Date(day + minute * 60_000)),
);
const clock = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 30, 59))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

describe('schedules in the company’s zone', () => {
  it('quiet hours (same-day and overnight) end when luxon said they end', () => {
    fc.assert(
      fc.property(instant, zone, clock, clock, (now, timeZone, start, end) => {
        fc.pre(start !== end);
        const quiet = { start, end };
        sameReading(quietHoursEnd(now, quiet, timeZone)?.toISOString(), luxonQuietHoursEnd(now, quiet, timeZone)?.toISOString(), timeZone);
      }),
      { numRuns: 2000 },
    );
    // 01:00 in Los Angeles just after the clocks went back, quiet 00:00-01:59: the second 01:59 of the
    // day ends them, not tomorrow's (found by the property: the first 01:59 had passed an hour before).
    expect(quietHoursEnd(new Date('2026-11-01T09:00:00Z'), { start: '00:00', end: '01:59' }, 'America/Los_Angeles')?.toISOString()).toBe(
      '2026-11-01T09:59:00.000Z',
    );
    // 22:30 in Chicago in winter, quiet 21:00-08:00: the text waits for 08:00 the next morning.
    expect(quietHoursEnd(new Date('2026-12-02T04:30:00Z'), { start: '21:00', end: '08:00' }, 'America/Chicago')?.toISOString()).toBe(
      '2026-12-02T14:00:00.000Z',
    );
  });

  it('a day’s renewal notices go at the company’s notice hour, as luxon placed them', () => {
    fc.assert(
      fc.property(instant, zone, fc.option(fc.integer({ min: 0, max: 23 }), { nil: undefined }), (at, timeZone, renewalNoticeHour) => {
        const tenant = { timeZone, renewalNoticeHour };
        sameReading(renewalNoticeAt(at, tenant), luxonRenewalNoticeAt(at, tenant), timeZone);
      }),
      { numRuns: 2000 },
    );
  });
});
