/**
 * GET /v1/bookings: the tenant's bookings. `view=upcoming` (default): windows from today on, in
 * the company's time zone, soonest first; `view=created`: bookings created between `from` and `to`.
 * Upcoming reads bookings created in the last `lookbackDays` (bookings are made at most the
 * tenant's booking horizon, 60 days at most, ahead).
 */
import { DateTime } from 'luxon';
import { ApiError } from '../shared/errors';
import { apiRoute } from '../shared/http';
import { now } from '../shared/time';
import * as z from '../shared/zod';
import { getTenant } from '../tenant/store';
import { listBookingRecords, toPublicBooking } from './store';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

export const ListBookingsQuerySchema = z.object({
  view: z.enum(['upcoming', 'created']).default('upcoming'),
  from: isoDate.optional(),
  to: isoDate.optional(),
  lookbackDays: z.coerce.number().int().min(1).max(120).default(62),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

export const handler = apiRoute({ query: ListBookingsQuerySchema }, async ({ tenant, query }) => {
  const company = await getTenant(tenant.tenantId);
  const zone = company?.timeZone ?? 'UTC';
  const today = DateTime.fromJSDate(now(), { zone }).startOf('day');
  if (query.view === 'upcoming') {
    const records = await listBookingRecords(tenant.tenantId, {
      from: today.minus({ days: query.lookbackDays }).toUTC().toISO()!,
      to: DateTime.fromJSDate(now()).plus({ minutes: 1 }).toUTC().toISO()!,
    });
    const todayIso = today.toISODate()!;
    const upcoming = records
      .filter((r) => r.window && r.window.date >= todayIso)
      .sort((a, b) => `${a.window!.date}${a.window!.start}`.localeCompare(`${b.window!.date}${b.window!.start}`))
      .slice(0, query.limit);
    return { statusCode: 200, body: { view: 'upcoming', today: todayIso, timeZone: zone, bookings: upcoming.map(toPublicBooking) } };
  }
  const to = query.to ? DateTime.fromISO(query.to, { zone }) : today;
  const from = query.from ? DateTime.fromISO(query.from, { zone }) : to.minus({ days: 6 });
  if (!from.isValid || !to.isValid || from > to) throw new ApiError('invalid_request', 'query.from: must be a date not after `to`', 'query.from');
  const records = await listBookingRecords(
    tenant.tenantId,
    { from: from.startOf('day').toUTC().toISO()!, to: to.plus({ days: 1 }).startOf('day').toUTC().toISO()! },
    query.limit,
  );
  return { statusCode: 200, body: { view: 'created', from: from.toISODate(), to: to.toISODate(), timeZone: zone, bookings: records.map(toPublicBooking) } };
});
