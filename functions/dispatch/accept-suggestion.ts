/**
 * Accepting a dispatch suggestion: applied through rescheduleBooking (move, reschedule) or
 * reassignTechnicians (swap: both jobs in one transaction) — the same claims, ledger messages,
 * timeline and CRM update as any booking change. Recomputed first: a stale suggestion is a 409.
 */
import { rescheduleBooking } from '../booking/changes';
import { reassignTechnicians } from '../booking/reassign';
import { getBookingRecord, getBookingWithTimeline } from '../booking/store';
import { ApiError } from '../shared/errors';
import { now } from '../shared/time';
import { loadDispatchDay } from './day';
import { computeSuggestions } from './suggestions';

export async function acceptSuggestion(tenantId: string, id: string, actorKeyId: string) {
  const bookingId = id.split('.')[1]!;
  const booking = await getBookingRecord(tenantId, bookingId);
  if (!booking?.window) throw new ApiError('not_found', `No suggestion ${id}`, 'id');
  const at = now();
  const suggestion = (await computeSuggestions(await loadDispatchDay(tenantId, booking.window.date), at)).find((s) => s.suggestionId === id);
  if (!suggestion) throw new ApiError('conflict', 'That suggestion no longer applies; read the suggestions again', 'id');
  const reason = `Dispatch suggestion ${id}: ${suggestion.reason.technicianId} running ${suggestion.reason.lateMinutes} min late`;
  if (suggestion.kind === 'swap') {
    const other = suggestion.swapWith!;
    await reassignTechnicians(
      tenantId,
      [
        { bookingId, technicianId: suggestion.to.technicianId! },
        { bookingId: other.bookingId, technicianId: other.to.technicianId! },
      ],
      actorKeyId,
      reason,
      at,
    );
    return {
      accepted: suggestion,
      booking: await getBookingWithTimeline(tenantId, bookingId),
      otherBooking: await getBookingWithTimeline(tenantId, other.bookingId),
    };
  }
  await rescheduleBooking(
    tenantId,
    bookingId,
    suggestion.kind === 'move'
      ? { technicianId: suggestion.to.technicianId, reason }
      : { window: { date: suggestion.to.date, start: suggestion.to.start }, reason },
    actorKeyId,
    at,
  );
  return { accepted: suggestion, booking: await getBookingWithTimeline(tenantId, bookingId) };
}
