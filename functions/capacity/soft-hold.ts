/** SoftHold's work (capacity/soft-hold.handler.ts): claim the checked window with a conditional write. */
import { appendTimeline, requireBookingRecord, updateBooking } from '../booking/store';
import { InvariantError } from '../shared/errors';
import type { HoldResult, WorkflowState } from '../shared/node';
import { now } from '../shared/time';
import { getJobType, getTenant } from '../tenant/store';
import { isMember } from '../renewals/member';
import { alternativesFor, holdWindow } from './engine';
import { attachHoldToBooking, getHold } from './store';

export function holdIdFor(bookingId: string): string {
  return `hold-${bookingId}`;
}

export async function softHold(state: WorkflowState): Promise<HoldResult> {
  const { tenantId, bookingId } = state;
  const at = now();
  const booking = await requireBookingRecord(tenantId, bookingId);
  if (booking.holdId && booking.window?.technicianId) {
    return { held: true, next: 'WriteCrm', holdId: booking.holdId, technicianId: booking.window.technicianId }; // re-entry
  }
  const [tenant, jobType] = await Promise.all([getTenant(tenantId), getJobType(tenantId, booking.jobTypeId)]);
  if (!tenant || !jobType) throw new InvariantError(`Tenant ${tenantId} or job type ${booking.jobTypeId} is missing`);
  const capacity = state.capacity;
  const postalCode = booking.request.address.postalCode;

  const held = async (holdId: string, plan: { date: string; start: string; end: string; technicianId: string }, expiresAt?: number) => {
    const window = { date: plan.date, start: plan.start, end: plan.end, technicianId: plan.technicianId };
    await updateBooking(tenantId, bookingId, { holdId, window }, { at });
    await appendTimeline(tenantId, bookingId, 'SoftHold', 'held', { ...window, holdId, expiresAt }, at);
    return {
      held: true,
      next: 'WriteCrm' as const,
      holdId,
      technicianId: plan.technicianId,
      expiresAt: expiresAt ? new Date(expiresAt * 1000).toISOString() : undefined,
    };
  };

  if (capacity?.decision === 'held' && capacity.holdId) {
    const hold = await getHold(tenantId, capacity.holdId);
    if (hold && (await attachHoldToBooking(tenantId, hold.holdId, bookingId))) return held(hold.holdId, hold.plan, hold.expiresAt);
    const alternatives = await alternativesFor({ tenant, jobType, postalCode, now: at, emergency: capacity.emergency });
    await updateBooking(tenantId, bookingId, { status: 'rejected', statusReason: 'hold_expired', alternatives }, { onlyFrom: ['received'], at });
    await appendTimeline(tenantId, bookingId, 'SoftHold', 'hold_lost', { holdId: capacity.holdId }, at);
    return { held: false, next: 'Done' };
  }

  const attempt = await holdWindow({
    tenant,
    jobType,
    postalCode,
    window: booking.request.window,
    emergency: capacity?.emergency,
    member: await isMember(tenantId, booking.customerId),
    holdId: holdIdFor(bookingId),
    bookingId,
    source: 'booking',
    now: at,
  });
  if (attempt.hold) return held(attempt.hold.holdId, attempt.hold.plan, attempt.hold.expiresAt);

  const statusReason = attempt.reason === 'window_unavailable' || booking.request.window ? 'window_taken' : (attempt.reason ?? 'fully_booked');
  await updateBooking(tenantId, bookingId, { status: 'rejected', statusReason, alternatives: attempt.alternatives }, { onlyFrom: ['received'], at });
  await appendTimeline(tenantId, bookingId, 'SoftHold', 'lost_race', { reason: statusReason, alternatives: attempt.alternatives.length }, at);
  return { held: false, next: 'Done' };
}
