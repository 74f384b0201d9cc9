/**
 * Wall-clock times in a company's time zone, for code that needs only these few questions answered
 * (issue 19: luxon is ~70 KB of every bundle that imports it). The zone arithmetic is
 * `@date-fns/tz`'s; dates (`YYYY-MM-DD`) and clock times (`HH:mm`) are plain calendar values.
 * test/unit/zoned-time.test.ts checks every function against luxon in every zone the runtime knows,
 * daylight-saving days included: a local time a spring-forward skips moves forward by the gap, a
 * repeated one is its first occurrence (luxon's rules).
 */
import { TZDateMini } from '@date-fns/tz';

/** An hour and a day of elapsed time, in milliseconds (a local day across a clock change is not DAY_MS: addDays). */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

function parts(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return [y, m, d];
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of a calendar date held in a Date's UTC fields. */
function isoDateOfUtc(at: Date): string {
  return `${pad(at.getUTCFullYear(), 4)}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`;
}

/**
 * Answers kept per warm container (issue 19: one booking's availability asks the same few hundred
 * instants of its zone's coming days, ~50 µs each from @date-fns/tz; a tenant's next booking asks them
 * again). Only for functions of their arguments alone, so a kept answer is the answer. At most
 * KEPT_ANSWERS per table, the oldest dropped first (a horizon of 14 days is ~100 per zone).
 */
const KEPT_ANSWERS = 4096;
function kept<T>(table: Map<string, T>, key: string, compute: () => T): T {
  const known = table.get(key);
  if (known !== undefined) return known;
  const value = compute();
  if (table.size >= KEPT_ANSWERS) table.delete(table.keys().next().value!);
  table.set(key, value);
  return value;
}
const instants = new Map<string, number>();
const offsetChanges = new Map<string, boolean>();

/** The instant the clocks in `timeZone` show `time` (`HH:mm`, default midnight) on `date`. */
export function zonedInstant(date: string, timeZone: string, time = '00:00'): Date {
  return new Date(
    kept(instants, `${timeZone}|${date}|${time}`, () => {
      const [y, m, d] = parts(date);
      const [hh, mm] = time.split(':').map(Number) as [number, number];
      return +new TZDateMini(y, m - 1, d, hh, mm, timeZone);
    }),
  );
}

/** Does `timeZone`'s UTC offset change during `date` (a daylight-saving day)? Compares its midnight with the next. */
export function offsetChangesOn(date: string, timeZone: string): boolean {
  return kept(
    offsetChanges,
    `${timeZone}|${date}`,
    () => zonedOffsetMinutes(zonedInstant(date, timeZone), timeZone) !== zonedOffsetMinutes(zonedInstant(addDays(date, 1), timeZone), timeZone),
  );
}

/**
 * The first instant after `now` at which the clocks in `timeZone` show `clock` (`HH:mm`): today's,
 * else, when today's has passed, tomorrow's. On a fall-back day a time the change repeats comes
 * round twice: an hour after its first occurrence has passed, its second is still today's (quiet
 * hours ending at 01:59 in Los Angeles, asked at 01:00 after the clocks went back, end at the second
 * 01:59, not tomorrow's).
 */
export function nextClockAfter(now: Date, timeZone: string, clock: string): Date {
  const today = zonedDate(now, timeZone);
  const first = zonedInstant(today, timeZone, clock);
  if (first > now) return first;
  const repeatedBy = zonedOffsetMinutes(first, timeZone) - zonedOffsetMinutes(now, timeZone);
  if (repeatedBy > 0) {
    const again = new Date(+first + repeatedBy * 60_000);
    if (again > now && zonedDate(again, timeZone) === today && zonedClock(again, timeZone) === zonedClock(first, timeZone)) return again;
  }
  return zonedInstant(addDays(today, 1), timeZone, clock);
}

/** The date (`YYYY-MM-DD`) the clocks in `timeZone` show at `at`. */
export function zonedDate(at: Date, timeZone: string): string {
  const local = new TZDateMini(+at, timeZone);
  return `${pad(local.getFullYear(), 4)}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}`;
}

/** The clock time (`HH:mm`) in `timeZone` at `at`. */
export function zonedClock(at: Date, timeZone: string): string {
  const local = new TZDateMini(+at, timeZone);
  return `${pad(local.getHours())}:${pad(local.getMinutes())}`;
}

/** `timeZone`'s offset from UTC at `at`, in minutes (Chicago in winter: -360). */
export function zonedOffsetMinutes(at: Date, timeZone: string): number {
  return -new TZDateMini(+at, timeZone).getTimezoneOffset();
}

/** The calendar date `days` after `date` (negative: before). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = parts(date);
  return isoDateOfUtc(new Date(Date.UTC(y, m - 1, d) + days * DAY_MS));
}

/**
 * The calendar date `months` after `date` (negative: before), on the same day of the month or, when
 * that month is shorter, its last day (Jan 31 + 1 month: Feb 28, or 29 in a leap year), as luxon's
 * `plus({ months })`.
 */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = parts(date);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return isoDateOfUtc(new Date(Date.UTC(year, month, Math.min(d, lastDay))));
}

/** A clock time (`HH:mm`) as a customer reads it: `2:05 PM`, `12:00 AM` (luxon's `h:mm a`). */
export function clockLabel(clock: string): string {
  const [hours, minutes] = clock.split(':') as [string, string];
  const h = Number(hours);
  return `${h % 12 || 12}:${minutes} ${h < 12 ? 'AM' : 'PM'}`;
}

/** ISO weekday of a calendar date: 1 Monday ... 7 Sunday. */
export function isoWeekday(date: string): number {
  const [y, m, d] = parts(date);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay() || 7;
}

/** Whether `date` is a real calendar date written `YYYY-MM-DD` (not 2026-02-30). */
export function isCalendarDate(date: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) && addDays(date, 0) === date;
}

/** Calendar days from `from` to `to` (negative when `to` is earlier); NaN unless both are calendar dates. */
export function daysBetween(from: string, to: string): number {
  if (!isCalendarDate(from) || !isCalendarDate(to)) return Number.NaN;
  return (Date.parse(to) - Date.parse(from)) / DAY_MS;
}

/**
 * `at` as the clocks in `timeZone` show it, ISO 8601 with milliseconds and its offset, as luxon's
 * `toISO()` writes it: `2026-11-30T08:00:00.000-06:00`, and `Z` for the zone named `UTC` or `GMT`.
 */
export function zonedIso(at: Date, timeZone: string): string {
  const local = new TZDateMini(+at, timeZone);
  const offset = -local.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const zone = /^(utc|gmt)$/i.test(timeZone) ? 'Z' : `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  const date = `${pad(local.getFullYear(), 4)}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}`;
  return `${date}T${pad(local.getHours())}:${pad(local.getMinutes())}:${pad(local.getSeconds())}.${pad(local.getMilliseconds(), 3)}${zone}`;
}

/**
 * The instant an ISO 8601 date or date-time names (`2026-11-30`, `2026-11-30T15:15:00Z`,
 * `2026-11-30T09:15:30.123-06:00`): at its own offset when it has one, else on the clocks of
 * `timeZone` (luxon's `fromISO(iso, { zone })`). An invalid Date when it names none.
 */
export function instantOf(iso: string, timeZone: string): Date {
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i.exec(iso);
  const [, date, time, seconds, fraction, offset] = match ?? [];
  if (!date || !isCalendarDate(date) || (time && !/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) || Number(seconds ?? 0) > 59) return new Date(Number.NaN);
  const extra = Number(seconds ?? 0) * 1000 + Math.floor(Number(`0.${fraction ?? 0}`) * 1000);
  if (!offset) return new Date(+zonedInstant(date, timeZone, time ?? '00:00') + extra);
  // A fixed offset: the same clock reading in UTC, less the offset.
  const [y, m, d] = parts(date);
  const [hh, mm] = (time ?? '00:00').split(':').map(Number) as [number, number];
  const [, sign, oh, om] = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset) ?? [];
  const offsetMinutes = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om ?? 0)) : 0;
  return new Date(Date.UTC(y, m - 1, d, hh, mm) + extra - offsetMinutes * 60_000);
}
