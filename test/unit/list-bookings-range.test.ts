/**
 * GET /v1/bookings reads its period on the company's clocks without luxon (functions/shared/zoned-time.ts),
 * daylight-saving days included: a day whose midnight a spring-forward skips (Santiago) starts at its
 * first minute, a day whose midnight a fall-back repeats (Havana) at the first of the two (luxon took
 * the second and left the day's first hour out), half-hour zones keep their half hour. luxon is the
 * reference only for which date an instant falls on.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { bookingListRange, ListBookingsQuerySchema } from '../../functions/booking/list-bookings.handler';

/** The date the company's clocks show at an instant (luxon's answer: unambiguous). */
const localDate = (iso: string, zone: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toISODate();

/** `iso` is the first minute of `date` on the zone's clocks: that date there, and the minute before is the day before. */
function expectStartOf(iso: string, date: string, zone: string, what: string): void {
  expect(localDate(iso, zone), what).toBe(date);
  expect(localDate(new Date(Date.parse(iso) - 60_000).toISOString(), zone), what).toBe(DateTime.fromISO(date).minus({ days: 1 }).toISODate());
}

const ZONES = ['America/Chicago', 'America/Santiago', 'America/Havana', 'America/St_Johns', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];

/** Instants around 2026's daylight-saving changes (both hemispheres) and an ordinary day. */
const INSTANTS = [
  '2026-03-08T05:59:00Z', // Chicago, the minute before 02:00 CST jumps to 03:00 CDT
  '2026-03-08T08:30:00Z',
  '2026-03-08T04:30:00Z', // Havana, the spring-forward at its midnight
  '2026-04-05T03:00:00Z', // Santiago and Lord Howe fall back
  '2026-09-06T03:30:00Z', // Santiago, spring-forward at its midnight
  '2026-09-06T04:30:00Z',
  '2026-10-04T15:30:00Z', // Lord Howe, a half-hour spring-forward
  '2026-10-25T00:30:00Z', // Berlin falls back
  '2026-11-01T05:30:00Z', // Chicago, in the repeated hour
  '2026-11-01T06:30:00Z',
  '2026-11-30T16:00:00Z',
];

const DATES = ['2026-03-08', '2026-03-07', '2026-09-06', '2026-09-05', '2026-10-04', '2026-10-25', '2026-11-01', '2026-11-02', '2026-04-05'];

describe('bookingListRange', () => {
  it('upcoming: today on the company clocks; from the first minute of the day lookbackDays before, to a minute from now', () => {
    for (const zone of ZONES) {
      for (const iso of INSTANTS) {
        for (const lookbackDays of [1, 62, 120]) {
          const query = ListBookingsQuerySchema.parse({ view: 'upcoming', lookbackDays: String(lookbackDays) });
          const range = bookingListRange(query, zone, new Date(iso));
          const what = `${zone} ${iso} ${lookbackDays}`;
          if (range.view !== 'upcoming') throw new Error(what);
          expect(range.today, what).toBe(localDate(iso, zone));
          expectStartOf(range.period.from, DateTime.fromISO(range.today).minus({ days: lookbackDays }).toISODate()!, zone, what);
          expect(range.period.to, what).toBe(new Date(Date.parse(iso) + 60_000).toISOString());
        }
      }
    }
  });

  it('created: from the first minute of `from` to the first minute of the day after `to`, on the company clocks', () => {
    const at = new Date('2026-11-30T16:00:00Z');
    for (const zone of ZONES) {
      for (const from of DATES) {
        for (const to of DATES) {
          const query = ListBookingsQuerySchema.parse({ view: 'created', from, to });
          if (from > to) {
            expect(() => bookingListRange(query, zone, at)).toThrow('must be a date not after `to`');
            continue;
          }
          const range = bookingListRange(query, zone, at);
          const what = `${zone} ${from}..${to}`;
          if (range.view !== 'created') throw new Error(what);
          expect([range.from, range.to], what).toEqual([from, to]);
          expectStartOf(range.period.from, from, zone, what);
          expectStartOf(range.period.to, DateTime.fromISO(to).plus({ days: 1 }).toISODate()!, zone, what);
        }
      }
      // Without from/to: the week to today.
      for (const iso of INSTANTS) {
        const range = bookingListRange(ListBookingsQuerySchema.parse({ view: 'created' }), zone, new Date(iso));
        if (range.view !== 'created') throw new Error(iso);
        expect(range.to, `${zone} ${iso}`).toBe(localDate(iso, zone));
        expect(range.from, `${zone} ${iso}`).toBe(DateTime.fromISO(range.to).minus({ days: 6 }).toISODate());
      }
    }
  });

  it('refuses a date the calendar does not have, or from after to, naming query.from', () => {
    const at = new Date('2026-11-30T16:00:00Z');
    for (const range of [{ from: '2026-02-30' }, { to: '2026-13-01' }, { from: '2026-12-02', to: '2026-12-01' }]) {
      const query = ListBookingsQuerySchema.parse({ view: 'created', ...range });
      expect(() => bookingListRange(query, 'America/Chicago', at)).toThrow(expect.objectContaining({ field: 'query.from' }));
    }
  });
});
