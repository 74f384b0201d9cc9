/**
 * GET /v1/bookings: the tenant's bookings. `view=upcoming` (default): windows from today on, in
 * the company's time zone, soonest first; `view=created`: bookings created between `from` and `to`.
 * Upcoming reads bookings created in the last `lookbackDays` (bookings are made at most the
 * tenant's booking horizon, 60 days at most, ahead).
 */
import { ApiError } from '../shared/errors';
import { apiRoute } from '../shared/http';
import { now } from '../shared/time';
import { addDays, isCalendarDate, zonedDate, zonedInstant } from '../shared/zoned-time';
import * as z from '../shared/zod';
import { getTenantPart } from '../tenant/store';
import { listBookingRecords, toPublicBooking } from './store';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

export const ListBookingsQuerySchema = z.object({
  view: z.enum(['upcoming', 'created']).default('upcoming'),
  from: isoDate.optional(),
  to: isoDate.optional(),
  lookbackDays: z.coerce.number().int().min(1).max(120).default(62),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

/**
 * The period a listing reads (`created` bookings' instants, ISO 8601 UTC) and the dates it answers
 * with, on the company's clocks: `upcoming` from the midnight `lookbackDays` before today to a
 * minute from now; `created` from `from`'s midnight to the midnight after `to` (a day a DST change
 * starts without a midnight begins at its first minute).
 */
export function bookingListRange(query: z.infer<typeof ListBookingsQuerySchema>, zone: string, at: Date) {
  const today = zonedDate(at, zone);
  if (query.view === 'upcoming') {
    const period = { from: zonedInstant(addDays(today, -query.lookbackDays), zone).toISOString(), to: new Date(+at + 60_000).toISOString() };
    return { view: 'upcoming' as const, today, period };
  }
  const to = query.to ?? today;
  const from = query.from ?? addDays(to, -6);
  if (!isCalendarDate(from) || !isCalendarDate(to) || from > to)
    throw new ApiError('invalid_request', 'query.from: must be a date not after `to`', 'query.from');
  return { view: 'created' as const, from, to, period: { from: zonedInstant(from, zone).toISOString(), to: zonedInstant(addDays(to, 1), zone).toISOString() } };
}

export const handler = apiRoute({ query: ListBookingsQuerySchema }, async ({ tenant, query }) => {
  const company = await getTenantPart(tenant.tenantId, ['timeZone']);
  const zone = company?.timeZone ?? 'UTC';
  const range = bookingListRange(query, zone, now());
  if (range.view === 'upcoming') {
    const records = await listBookingRecords(tenant.tenantId, range.period);
    const upcoming = records
      .filter((r) => r.window && r.window.date >= range.today)
      .sort((a, b) => `${a.window!.date}${a.window!.start}`.localeCompare(`${b.window!.date}${b.window!.start}`))
      .slice(0, query.limit);
    return { statusCode: 200, body: { view: 'upcoming', today: range.today, timeZone: zone, bookings: upcoming.map(toPublicBooking) } };
  }
  const records = await listBookingRecords(tenant.tenantId, range.period, query.limit);
  return { statusCode: 200, body: { view: 'created', from: range.from, to: range.to, timeZone: zone, bookings: records.map(toPublicBooking) } };
});
