/** CheckCapacity's work (capacity/check-capacity.handler.ts): which window, if any, can honour the booking. */
import { bookingOf, factsOf, jobTypeOf } from '../booking/facts';
import { appendTimeline, updateBooking } from '../booking/store';
import { openReviewItem } from '../review/store';
import { InvariantError } from '../shared/errors';
import type { CapacityResult, WorkflowState } from '../shared/node';
import { now } from '../shared/time';
import { tenantConfig, techniciansAt } from '../tenant/config-cache';
import { alternativesFor, availableWindows, isScheduleStale, searchDates } from './engine';
import { getHold, isHoldLive } from './store';
import { needsDispatchNow } from '../emergency/plan';
import { isMember } from '../renewals/member';

export async function checkCapacity(state: WorkflowState): Promise<CapacityResult> {
  const { tenantId, bookingId } = state;
  const at = now();
  // The run's facts (booking/facts.ts): the booking, the configuration version and job type the route read.
  const booking = await bookingOf(state);
  const [tenant, jobType] = await Promise.all([tenantConfig(tenantId, factsOf(state)?.configVersion), jobTypeOf(state, booking.jobTypeId)]);
  if (!tenant) throw new InvariantError(`Tenant ${tenantId} has no configuration`);
  if (!jobType) throw new InvariantError(`Job type ${booking.jobTypeId} does not exist`);
  const { request } = booking;
  const emergency = Boolean(request.emergency || jobType.emergency);
  const postalCode = request.address.postalCode;
  const stale = isScheduleStale(tenant, at);
  // Members first: a member's booking may take the tenant's member reserve.
  // RecogniseCustomer knew it for this run's customer; a run without it reads it.
  const member = state.customer?.member ?? (await isMember(tenantId, booking.customerId));

  if (stale) {
    await openReviewItem(
      tenantId,
      {
        kind: 'stale_capacity',
        reason: `Schedule data is older than ${tenant.scheduleSource.staleAfterMinutes} minutes (last sync ${tenant.scheduleSource.lastSyncAt ?? 'never'}): confirm this booking with the technician's real schedule`,
        subject: { type: 'booking', id: bookingId },
        payload: { lastSyncAt: tenant.scheduleSource.lastSyncAt ?? null },
      },
      at,
    );
  }

  // The technicians as this container read them at the configuration version the route read: no Query per booking (issue 19).
  const readTechnicians = () => techniciansAt(tenantId, factsOf(state)?.configVersion);

  const reject = async (statusReason: string) => {
    const near = request.window ? { near: request.window } : {};
    const alternatives = await alternativesFor({ tenant, jobType, postalCode, now: at, emergency, ...near, readTechnicians });
    await updateBooking(
      tenantId,
      bookingId,
      { status: 'rejected', statusReason, alternatives },
      {
        onlyFrom: ['received'],
        at,
        timeline: { node: 'CheckCapacity', outcome: 'rejected', detail: { reason: statusReason, alternatives: alternatives.length } },
      },
    );
    return { decision: 'unavailable' as const, reason: statusReason, emergency };
  };

  // Re-entry (a resumed or re-driven run): the booking already holds its slot; keep it, never look again.
  if (booking.holdId && booking.window) {
    const own = await getHold(tenantId, booking.holdId);
    if (own && own.bookingId === bookingId && (own.status === 'BOOKED' || isHoldLive(own, at))) {
      const { date, start, end } = own.plan;
      const timeline = { node: 'CheckCapacity', outcome: 'hold_kept', detail: { holdId: own.holdId, date, start }, at: at.toISOString() };
      return { decision: 'held', holdId: own.holdId, date, start, end, emergency, stale, timeline };
    }
  }

  if (request.holdId) {
    const hold = await getHold(tenantId, request.holdId);
    if (!hold) return reject('hold_unknown');
    if (hold.bookingId && hold.bookingId !== bookingId) return reject('hold_used');
    if (!isHoldLive(hold, at)) return reject('hold_expired');
    if (hold.plan.jobTypeId !== jobType.jobTypeId) return reject('hold_for_other_job_type');
    const { date, start, end } = hold.plan;
    const timeline = { node: 'CheckCapacity', outcome: 'hold_verified', detail: { holdId: hold.holdId, date, start }, at: at.toISOString() };
    return { decision: 'held', holdId: hold.holdId, date, start, end, emergency, stale, timeline };
  }

  const asked = request.window;
  const dates = asked ? [asked.date] : searchDates(tenant, at, { emergency });
  const { open, reason } = await availableWindows({ tenant, jobType, postalCode, dates, now: at, emergency, member, readTechnicians });
  const chosen = asked ? open.find((w) => w.start === asked.start) : open[0];
  // An emergency with no honourable window soon is dispatched now (functions/emergency/), never booked for later.
  if (emergency && !asked && needsDispatchNow(chosen, tenant.timeZone, at, tenant.emergency)) {
    const firstWindow = chosen ? `${chosen.date} ${chosen.start}` : null;
    await appendTimeline(tenantId, bookingId, 'CheckCapacity', 'dispatch', { emergency, firstWindow, maxWaitMinutes: tenant.emergency.maxWaitMinutes }, at);
    return { decision: 'dispatch', emergency, stale, reason: chosen ? 'no_window_soon' : (reason ?? 'fully_booked') };
  }
  if (chosen) {
    // SoftHold writes this entry with its own booking write (one write for both nodes).
    const timeline = {
      node: 'CheckCapacity',
      outcome: 'available',
      detail: { date: chosen.date, start: chosen.start, technicians: chosen.candidates.length, emergency, afterHours: chosen.afterHours, stale },
      at: at.toISOString(),
    };
    return {
      decision: 'available',
      date: chosen.date,
      start: chosen.start,
      end: chosen.end,
      emergency,
      stale,
      member,
      timeline,
      // SoftHold claims from what this read chose (its conditional claim is the guarantee, not this read).
      candidates: chosen.candidates,
    };
  }
  if (stale && (reason ?? 'fully_booked') === 'fully_booked') {
    // "Full" in schedule data we cannot trust: keep the request for dispatch, never reject or confirm it.
    // (Out of area or no skill is configuration, not schedule: that still rejects.)
    await appendTimeline(tenantId, bookingId, 'CheckCapacity', 'unconfirmed', { reason: 'schedule_stale' }, at);
    return { decision: 'unconfirmed', emergency, stale, reason: 'schedule_stale' };
  }
  return reject(asked && open.length ? 'window_unavailable' : (reason ?? 'fully_booked'));
}
