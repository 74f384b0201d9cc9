/** SoftHold's work (capacity/soft-hold.handler.ts): claim the checked window with a conditional write. */
import { bookingOf, factsOf, jobTypeOf } from '../booking/facts';
import { appendTimeline, bookingUpdate, type TimelineNote, updateBooking } from '../booking/store';
import { InvariantError } from '../shared/errors';
import type { HoldResult, WorkflowState } from '../shared/node';
import { now } from '../shared/time';
import { tenantConfig } from '../tenant/config-cache';
import { isMember } from '../renewals/member';
import { alternativesFor, holdWindow } from './engine';
import type { ClaimPlan } from './availability';
import { attachHoldToBooking, getHold, type HoldRecord, planKeys } from './store';

export function holdIdFor(bookingId: string): string {
  return `hold-${bookingId}`;
}

const heldWindow = (plan: ClaimPlan) => ({ date: plan.date, start: plan.start, end: plan.end, technicianId: plan.technicianId });

/** SoftHold's answer for a held window; `keys`: what the hold claimed (CommitSlot commits them without reading the hold). */
function heldResult(holdId: string, plan: ClaimPlan, expiresAt: number | undefined, keys: HoldRecord['keys']): HoldResult {
  return {
    held: true,
    next: 'WriteCrm',
    holdId,
    technicianId: plan.technicianId,
    window: heldWindow(plan),
    expiresAt: expiresAt ? new Date(expiresAt * 1000).toISOString() : undefined,
    ...(keys.length ? { keys } : {}),
  };
}

export async function softHold(state: WorkflowState): Promise<HoldResult> {
  const { tenantId, bookingId } = state;
  const at = now();
  // The run's facts (booking/facts.ts): the booking, the configuration version and job type the route read.
  const booking = await bookingOf(state);
  const capacity = state.capacity;
  // CheckCapacity's entry goes with this node's booking write (one write for both).
  const notes = (note: TimelineNote): TimelineNote[] => (capacity?.timeline ? [capacity.timeline, note] : [note]);
  if (booking.holdId && booking.window?.technicianId) {
    if (capacity?.timeline) {
      const { node, outcome, detail } = capacity.timeline;
      await appendTimeline(tenantId, bookingId, node, outcome, detail, at);
    }
    const technicianId = booking.window.technicianId;
    const { date, start, end } = booking.window;
    return { held: true, next: 'WriteCrm', holdId: booking.holdId, technicianId, window: { date, start, end, technicianId } }; // re-entry
  }
  const [tenant, jobType] = await Promise.all([tenantConfig(tenantId, factsOf(state)?.configVersion), jobTypeOf(state, booking.jobTypeId)]);
  if (!tenant || !jobType) throw new InvariantError(`Tenant ${tenantId} or job type ${booking.jobTypeId} is missing`);
  const postalCode = booking.request.address.postalCode;

  const held = async (hold: HoldRecord) => {
    const window = heldWindow(hold.plan);
    const { holdId, expiresAt } = hold;
    await updateBooking(
      tenantId,
      bookingId,
      { holdId, window },
      { at, timeline: notes({ node: 'SoftHold', outcome: 'held', detail: { ...window, holdId, expiresAt } }) },
    );
    return heldResult(holdId, hold.plan, expiresAt, hold.keys);
  };

  if (capacity?.decision === 'held' && capacity.holdId) {
    const hold = await getHold(tenantId, capacity.holdId);
    if (hold && (await attachHoldToBooking(tenantId, hold.holdId, bookingId))) return held(hold);
    const alternatives = await alternativesFor({ tenant, jobType, postalCode, now: at, emergency: capacity.emergency });
    await updateBooking(
      tenantId,
      bookingId,
      { status: 'rejected', statusReason: 'hold_expired', alternatives },
      { onlyFrom: ['received'], at, timeline: notes({ node: 'SoftHold', outcome: 'hold_lost', detail: { holdId: capacity.holdId } }) },
    );
    return { held: false, next: 'Done' };
  }

  // The booking's hold and window go in the claim's own transaction: one write for the slot and the booking.
  const heldUpdate = (hold: HoldRecord) => {
    const window = heldWindow(hold.plan);
    const detail = { ...window, holdId: hold.holdId, expiresAt: hold.expiresAt };
    return bookingUpdate(tenantId, bookingId, { holdId: hold.holdId, window }, { at, timeline: notes({ node: 'SoftHold', outcome: 'held', detail }) });
  };
  const attempt = await holdWindow({
    tenant,
    jobType,
    postalCode,
    window: booking.request.window,
    emergency: capacity?.emergency,
    // CheckCapacity read it for this run (its window was chosen with it); a run without it reads it.
    member: capacity?.member ?? state.customer?.member ?? (await isMember(tenantId, booking.customerId)),
    holdId: holdIdFor(bookingId),
    bookingId,
    source: 'booking',
    now: at,
    // What CheckCapacity just read for this window: claimed without reading again (a refusal reads).
    ...(capacity?.decision === 'available' && capacity.candidates?.length ? { chosen: capacity.candidates } : {}),
    alongside: (hold) => [{ Update: heldUpdate(hold) }],
  });
  if (attempt.hold) {
    const { hold } = attempt;
    return heldResult(hold.holdId, hold.plan, hold.expiresAt, planKeys(tenantId, hold.plan));
  }

  const statusReason = attempt.reason === 'window_unavailable' || booking.request.window ? 'window_taken' : (attempt.reason ?? 'fully_booked');
  await updateBooking(
    tenantId,
    bookingId,
    { status: 'rejected', statusReason, alternatives: attempt.alternatives },
    {
      onlyFrom: ['received'],
      at,
      timeline: notes({ node: 'SoftHold', outcome: 'lost_race', detail: { reason: statusReason, alternatives: attempt.alternatives.length } }),
    },
  );
  return { held: false, next: 'Done' };
}
