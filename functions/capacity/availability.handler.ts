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
import { bookingToMove, emergencyOfMove, isMemberMove, whereItIs } from '../booking/moves';
import { lastBookableDate, requireWithinHorizon } from './horizon';
import { isMember } from '../renewals/member';
import { AvailabilityQuerySchema } from './schemas';

const NEXT_AVAILABLE = 3;

export const handler = apiRoute({ query: AvailabilityQuerySchema }, async ({ tenant: { tenantId }, query }) => {
  const at = now();
  // A booked job to move (issue 21): the windows its reschedule would get, its own place given back.
  const moving = query.bookingId ? await bookingToMove(tenantId, { ...query, bookingId: query.bookingId }, 'query.') : undefined;
  const jobTypeId = moving?.jobTypeId ?? query.jobTypeId!;
  const postalCode = moving?.request.address.postalCode ?? query.postalCode!;
  const [tenant, jobType] = await Promise.all([getTenant(tenantId), getJobType(tenantId, jobTypeId)]);
  if (!tenant) throw new ApiError('service_unavailable', 'This account has no configuration yet');
  if (!jobType) throw new ApiError('invalid_request', `Unknown job type "${jobTypeId}"`, 'query.jobTypeId');
  // A move: the booking decides, as its reschedule does (a disagreeing `emergency` is refused).
  const emergency = moving ? emergencyOfMove(moving, jobType, query.emergency, 'query.emergency') : (query.emergency ?? jobType.emergency);
  if (query.to) requireWithinHorizon(tenant, at, query.to, 'query.to');
  const dates = searchDates(tenant, at, { emergency, from: query.from, to: query.to });
  // A move: its booking's customer (a member's job may take the member reserve, as its reschedule may).
  const member = moving ? await isMemberMove(moving) : await isMember(tenantId, query.customerId);
  // A move: its own place given back, and never where the job already is (with its place given back it looks open).
  const current = moving && whereItIs(moving);
  const move = moving ? { leaving: new Set([moving.holdId]), ...(current ? { except: [current] } : {}) } : {};
  const question = { tenant, jobType, postalCode, now: at, emergency, member, ...move };
  const { open, reason } = await availableWindows({ ...question, dates });

  let nextAvailable: Array<{ date: string; start: string; end: string }> | undefined;
  const after = addDays(dates[dates.length - 1]!, 1);
  // The next windows are looked for inside the horizon only.
  const last = lastBookableDate(tenant, at);
  if (!open.length && reason === 'fully_booked' && after <= last) {
    const until = addDays(after, tenant.bookingHorizonDays - 1);
    const more = await availableWindows({ ...question, dates: dateRange(after, [until, last].sort()[0]!) });
    nextAvailable = more.open.slice(0, NEXT_AVAILABLE).map(({ date, start, end }) => ({ date, start, end }));
  }
  return {
    statusCode: 200,
    body: {
      jobTypeId: jobType.jobTypeId,
      postalCode,
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
