/**
 * GET /v1/dispatch/suggestions?date: re-dispatch options for technicians running behind (computed on read).
 * POST /v1/dispatch/suggestions/{id}/accept: apply one through rescheduleBooking (move, reschedule)
 * or reassignTechnicians (swap: both jobs in one transaction) — the same claims, ledger messages,
 * timeline and CRM update as any booking change. One Lambda; the route key picks.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { ApiError } from '../shared/errors';
import { apiRoute, parseWith } from '../shared/http';
import { now } from '../shared/time';
import { z } from '../shared/zod';
import { rescheduleBooking } from '../booking/changes';
import { reassignTechnicians } from '../booking/reassign';
import { getBookingRecord, getBookingWithTimeline } from '../booking/store';
import { loadDispatchDay } from './day';
import { DispatchDateQuerySchema } from './schemas';
import { computeSuggestions } from './suggestions';

export const SuggestionParamsSchema = z.object({ id: z.string().regex(/^(mv|sw|rs)\.[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+$/, 'expected a suggestion id') });

const list = apiRoute({ query: DispatchDateQuerySchema }, async ({ tenant, query }) => {
  const day = await loadDispatchDay(tenant.tenantId, query.date);
  return { statusCode: 200, body: { date: query.date, suggestions: await computeSuggestions(day, now()) } };
});

const accept = apiRoute({}, async ({ tenant, pathParameters }) => {
  const { id } = parseWith(SuggestionParamsSchema, pathParameters, 'path');
  const bookingId = id.split('.')[1]!;
  const booking = await getBookingRecord(tenant.tenantId, bookingId);
  if (!booking?.window) throw new ApiError('not_found', `No suggestion ${id}`, 'id');
  const at = now();
  const suggestion = (await computeSuggestions(await loadDispatchDay(tenant.tenantId, booking.window.date), at)).find((s) => s.suggestionId === id);
  if (!suggestion) throw new ApiError('conflict', 'That suggestion no longer applies; read the suggestions again', 'id');
  const reason = `Dispatch suggestion ${id}: ${suggestion.reason.technicianId} running ${suggestion.reason.lateMinutes} min late`;
  if (suggestion.kind === 'swap') {
    const other = suggestion.swapWith!;
    await reassignTechnicians(
      tenant.tenantId,
      [
        { bookingId, technicianId: suggestion.to.technicianId! },
        { bookingId: other.bookingId, technicianId: other.to.technicianId! },
      ],
      tenant.keyId,
      reason,
      at,
    );
    return {
      statusCode: 200,
      body: {
        accepted: suggestion,
        booking: await getBookingWithTimeline(tenant.tenantId, bookingId),
        otherBooking: await getBookingWithTimeline(tenant.tenantId, other.bookingId),
      },
    };
  }
  await rescheduleBooking(
    tenant.tenantId,
    bookingId,
    suggestion.kind === 'move'
      ? { technicianId: suggestion.to.technicianId, reason }
      : { window: { date: suggestion.to.date, start: suggestion.to.start }, reason },
    tenant.keyId,
    at,
  );
  return { statusCode: 200, body: { accepted: suggestion, booking: await getBookingWithTimeline(tenant.tenantId, bookingId) } };
});

export const handler = async (event: APIGatewayProxyEventV2, context: Context) => (event.routeKey.endsWith('/accept') ? accept : list)(event, context);
