/**
 * GET /v1/availability: only windows a qualified technician whose territory covers the address can
 * really serve; the reason when there are none; the next open windows when the range is full.
 */
import { ApiError } from '../shared/errors';
import { apiRoute } from '../shared/http';
import { now } from '../shared/time';
import { addDays } from '../shared/zoned-time';
import { getJobType, getTenant } from '../tenant/store';
import { dateRange } from './availability';
import { availableWindows, isScheduleStale, searchDates } from './engine';
import { lastBookableDate, requireWithinHorizon } from './horizon';
import { isMember } from '../renewals/member';
import { AvailabilityQuerySchema } from './schemas';

const NEXT_AVAILABLE = 3;

export const handler = apiRoute({ query: AvailabilityQuerySchema }, async ({ tenant: { tenantId }, query }) => {
  const at = now();
  const [tenant, jobType] = await Promise.all([getTenant(tenantId), getJobType(tenantId, query.jobTypeId)]);
  if (!tenant) throw new ApiError('service_unavailable', 'This account has no configuration yet');
  if (!jobType) throw new ApiError('invalid_request', `Unknown job type "${query.jobTypeId}"`, 'query.jobTypeId');
  const emergency = query.emergency ?? jobType.emergency;
  if (query.to) requireWithinHorizon(tenant, at, query.to, 'query.to');
  const dates = searchDates(tenant, at, { emergency, from: query.from, to: query.to });
  const member = await isMember(tenantId, query.customerId);
  const { open, reason } = await availableWindows({ tenant, jobType, postalCode: query.postalCode, dates, now: at, emergency, member });

  let nextAvailable: Array<{ date: string; start: string; end: string }> | undefined;
  const after = addDays(dates[dates.length - 1]!, 1);
  // The next windows are looked for inside the horizon only.
  const last = lastBookableDate(tenant, at);
  if (!open.length && reason === 'fully_booked' && after <= last) {
    const until = addDays(after, tenant.bookingHorizonDays - 1);
    const more = await availableWindows({
      tenant,
      jobType,
      postalCode: query.postalCode,
      now: at,
      emergency,
      member,
      dates: dateRange(after, [until, last].sort()[0]!),
    });
    nextAvailable = more.open.slice(0, NEXT_AVAILABLE).map(({ date, start, end }) => ({ date, start, end }));
  }
  return {
    statusCode: 200,
    body: {
      jobTypeId: jobType.jobTypeId,
      postalCode: query.postalCode,
      emergency,
      from: dates[0],
      to: dates[dates.length - 1],
      windows: open.map((w) => ({ date: w.date, start: w.start, end: w.end, afterHours: w.afterHours, capacity: w.candidates.length })),
      ...(reason ? { reason } : {}),
      ...(nextAvailable ? { nextAvailable } : {}),
      scheduleStale: isScheduleStale(tenant, at),
    },
  };
});
