/**
 * functions/notify/variables.ts: the texts a message shows for a window, an ETA, a date and money,
 * on ordinary days, daylight-saving days and outside the US Central zone, in both languages. The
 * expected texts are what the luxon-based formatting rendered (2026-11-30), so moving the module to
 * Intl and functions/shared/zoned-time.ts (issue 19: luxon out of the notify bundles) changes no
 * message. One answer differs on purpose: a window start that a fall-back repeats is its first
 * occurrence (zoned-time.ts), where luxon picked by the season the process ran in.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { formatInstant, formatWindow, messageVariables } from '../../functions/notify/variables';
import { NORTH_AMERICAN_ZONES } from './time-zones';

const names = { customerName: 'Ana Ruiz', companyName: 'Lone Star' };

describe('message variables on daylight-saving days', () => {
  it('moves a window start that the spring-forward skips on by the gap (Chicago, 2026-03-08)', () => {
    const v = messageVariables({
      ...names,
      timeZone: 'America/Chicago',
      window: { date: '2026-03-08', start: '02:30', end: '04:00' },
      etaIso: '2026-03-08T08:45:00Z',
    });
    expect(v).toMatchObject({
      date: 'Sun, Mar 8',
      weekday: 'Sunday',
      time: '3:30-4:00 AM',
      start: '3:30 AM',
      end: '4 AM',
      window: 'Sun, Mar 8, 3:30-4:00 AM',
      windowStartIso: '2026-03-08T03:30:00.000-05:00',
      windowEndIso: '2026-03-08T04:00:00.000-05:00',
      eta: 'Sun, Mar 8, 3:45 AM',
    });
  });

  it('writes the offset of the day after the change, and an ETA before it in the old offset', () => {
    const v = messageVariables({
      ...names,
      timeZone: 'America/Chicago',
      window: { date: '2026-03-08', start: '08:00', end: '10:00' },
      etaIso: '2026-03-08T07:59:00Z',
    });
    expect(v).toMatchObject({ time: '8-10 AM', windowStartIso: '2026-03-08T08:00:00.000-05:00', eta: 'Sun, Mar 8, 1:59 AM' });
  });

  it('reads a window start that the fall-back repeats as its first occurrence, whatever the season the process runs in', () => {
    const v = messageVariables({
      ...names,
      timeZone: 'America/Chicago',
      window: { date: '2026-11-01', start: '01:30', end: '03:00' },
      etaIso: '2026-11-01T07:30:00Z',
    });
    expect(v).toMatchObject({
      date: 'Sun, Nov 1',
      time: '1:30-3:00 AM',
      start: '1:30 AM',
      end: '3 AM',
      windowStartIso: '2026-11-01T01:30:00.000-05:00',
      windowEndIso: '2026-11-01T03:00:00.000-06:00',
      eta: 'Sun, Nov 1, 1:30 AM',
    });
  });

  it('keeps Phoenix, which has no daylight saving, on its offset', () => {
    expect(formatWindow({ date: '2026-03-08', start: '12:00', end: '14:00' }, 'America/Phoenix', 'en')).toMatchObject({
      time: '12-2 PM',
      windowStartIso: '2026-03-08T12:00:00.000-07:00',
      windowEndIso: '2026-03-08T14:00:00.000-07:00',
    });
  });
});

describe('message variables outside US Central', () => {
  it("writes St. John's half-hour offset, in Spanish", () => {
    const v = messageVariables({
      ...names,
      language: 'es',
      timeZone: 'America/St_Johns',
      window: { date: '2026-07-14', start: '13:00', end: '15:30' },
      etaIso: '2026-07-14T16:05:00Z',
    });
    expect(v).toMatchObject({
      jobTypeName: 'servicio',
      date: 'mar, 14 de jul',
      weekday: 'martes',
      time: '1:00-3:30 p.m.',
      start: '1 p.m.',
      end: '3:30 p.m.',
      window: 'mar, 14 de jul, 1:00-3:30 p.m.',
      windowStartIso: '2026-07-14T13:00:00.000-02:30',
      windowEndIso: '2026-07-14T15:30:00.000-02:30',
      eta: 'mar, 14 de jul, 1:35 p.m.',
    });
  });

  it("writes Berlin's spring-forward, and dates and money from a job's facts", () => {
    const v = messageVariables({
      ...names,
      timeZone: 'Europe/Berlin',
      window: { date: '2026-03-29', start: '02:00', end: '04:00' },
      etaIso: '2026-03-29T00:30:00+00:00',
      job: { renewsOn: '2027-01-05', nextMaintenanceDate: '2027-05-30', amountCents: 5000 },
    });
    expect(v).toMatchObject({
      time: '3-4 AM',
      start: '3 AM',
      windowStartIso: '2026-03-29T03:00:00.000+02:00',
      eta: 'Sun, Mar 29, 1:30 AM',
      etaIso: '2026-03-29T00:30:00+00:00',
      renewsOn: 'Jan 5, 2027',
      renewsOnIso: '2027-01-05',
      nextMaintenanceDate: 'May 30, 2027',
      amount: '$50.00',
      amountCents: '5000',
    });
  });

  it('writes a window with no end, and a day with no window time', () => {
    expect(formatWindow({ date: '2026-12-31', start: '23:15' }, 'America/New_York', 'en')).toEqual({
      date: 'Thu, Dec 31',
      weekday: 'Thursday',
      time: '11:15 PM',
      start: '11:15 PM',
      end: undefined,
      window: 'Thu, Dec 31, 11:15 PM',
      dateIso: '2026-12-31',
      windowStartIso: '2026-12-31T23:15:00.000-05:00',
      windowEndIso: undefined,
    });
    expect(messageVariables({ ...names, timeZone: 'America/New_York', window: { date: '2026-12-31', start: '' } })).toMatchObject({
      date: 'Thu, Dec 31',
      weekday: 'Thursday',
      window: 'Thu, Dec 31',
      dateIso: '2026-12-31',
    });
  });
});

describe('message variables from values that are not dates', () => {
  it('shows a date that does not exist, or a zone the runtime does not know, as it was given', () => {
    expect(formatWindow({ date: '2026-02-30', start: '08:00', end: '10:00' }, 'America/New_York', 'en')).toEqual({ date: '2026-02-30', window: '2026-02-30' });
    expect(formatWindow({ date: '2026-02-03', start: '08:00', end: '10:00' }, 'Mars/Olympus', 'en')).toEqual({ date: '2026-02-03', window: '2026-02-03' });
    expect(formatInstant('2026-02-03T15:00:00Z', 'Mars/Olympus', 'en')).toBe('2026-02-03T15:00:00Z');
  });

  it('falls back to the label of an ETA that is not a time, and keeps dates that are not dates as written', () => {
    const v = messageVariables({
      ...names,
      timeZone: 'America/Denver',
      etaIso: 'soon',
      job: { etaLabel: 'in 20 min', renewsOn: 'next spring', nextMaintenanceDate: 'someday' },
    });
    expect(v).toMatchObject({ eta: 'in 20 min', renewsOn: 'next spring', nextMaintenanceDate: 'someday' });
    expect(v.etaIso).toBeUndefined();
    expect(v.renewsOnIso).toBeUndefined();
  });

  it("reads an ETA without an offset on the company's clocks, and one with microseconds", () => {
    expect(messageVariables({ ...names, timeZone: 'America/Denver', etaIso: '2026-06-01T09:30' })).toMatchObject({
      eta: 'Mon, Jun 1, 9:30 AM',
      etaIso: '2026-06-01T09:30',
    });
    expect(messageVariables({ ...names, language: 'es', timeZone: 'America/Los_Angeles', etaIso: '2026-06-01T16:30:12.345678Z' })).toMatchObject({
      eta: 'lun, 1 de jun, 9:30 a.m.',
    });
  });
});

describe('window instants against luxon in zones the runtime knows', () => {
  /** North American zones, and every tenth zone of the runtime's list. */
  const zones = [...new Set([...NORTH_AMERICAN_ZONES, 'UTC', ...Intl.supportedValuesOf('timeZone').filter((_, i) => i % 10 === 0)])];
  /** luxon's reading of a window start (a repeated local time aside: see the file's comment). */
  const luxonIso = (date: string, time: string, zone: string) => DateTime.fromISO(`${date}T${time}`, { zone }).toISO();
  const days = ['2026-01-15', '2026-03-08', '2026-03-29', '2026-04-05', '2026-07-01', '2026-10-04', '2026-10-25', '2026-11-01'];
  const times = ['00:00', '02:30', '13:45'];

  // CPU-bound (a few thousand formatted windows): a deadline for a busy machine, not a timing assertion.
  it('writes the start as luxon does, with its offset', { timeout: 180_000 }, () => {
    const differing: string[] = [];
    for (const zone of zones) {
      for (const date of days) {
        for (const time of times) {
          const expected = luxonIso(date, time, zone);
          const actual = formatWindow({ date, start: time }, zone, 'en').windowStartIso;
          // A local time the clocks show twice: luxon's answer depends on the season the process runs in.
          const at = DateTime.fromISO(`${date}T${time}`, { zone });
          const repeated = [at.plus({ hours: 1 }), at.minus({ hours: 1 })].some((other) => other.toFormat("yyyy-MM-dd'T'HH:mm") === `${date}T${time}`);
          if (actual !== expected && !repeated) differing.push(`${zone} ${date} ${time}: ${actual} (luxon ${expected})`);
        }
      }
    }
    expect(differing).toEqual([]);
  });
});
