/**
 * Trail node AssignTechnician. Condition: the technician the booking holds still qualifies (active,
 * trade and skills, territory, not off, on shift or on call for that window). Action: keep them, or
 * move the job (same window, same claims machinery) to the least busy technician who qualifies.
 * Exception: no one qualifies -> the step fails and CloseTrail opens a review item.
 * First, the trail's idempotency key: the trail is an Express workflow, whose starts are
 * at-least-once and not deduplicated by name, so a run for a booking whose trail already completed
 * ends here (TrailAlreadyRunError, caught into the machine's AlreadyRun state).
 */
import { appendTimeline, updateBooking } from '../booking/store';
import { rescheduleBooking } from '../booking/changes';
import { coversPostalCode, isOff, isOnCall, isOnShift, isQualified } from '../capacity/availability';
import { InvariantError, ApiError, type NodeRaises, PermanentError } from '../shared/errors';
import { workflowNode, TRAIL_STEP_CATCH } from '../shared/node';
import { now } from '../shared/time';
import { type TrailWrite, trailFacts } from './facts';
import { readJobAndTechnician, readTrailSubject } from './store';

export class NoQualifiedTechnicianError extends PermanentError {
  override name = 'NoQualifiedTechnicianError';
}

/** This booking's trail completed already: a second start (a duplicate) has nothing to do. */
export class TrailAlreadyRunError extends PermanentError {
  override name = 'TrailAlreadyRun';
}

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = {
  errors: [TrailAlreadyRunError, NoQualifiedTechnicianError, InvariantError, ApiError],
  catchAll: TRAIL_STEP_CATCH,
};

export const handler = workflowNode('AssignTechnician', async ({ tenantId, bookingId }) => {
  const at = now();
  // Two reads (issue 19: were five): the booking, the configuration and the emergency dispatch; then
  // the job type and the booked technician.
  const { booking, tenant, dispatch } = await readTrailSubject(tenantId, bookingId);
  if (!booking) throw new InvariantError(`Booking ${bookingId} does not exist`);
  if (booking.trail?.completedAt) throw new TrailAlreadyRunError(`The trail of ${bookingId} completed at ${booking.trail.completedAt}`);
  const window = booking.window;
  if (!window?.technicianId) throw new InvariantError('The booking has no technician to confirm');
  const { jobType, technician } = await readJobAndTechnician(tenantId, booking.jobTypeId, window.technicianId);
  if (!tenant || !jobType) throw new InvariantError('Tenant or job type missing');
  const afterHours = tenant.afterHoursWindows.some((w) => w.start === window.start);
  // An emergency the on-call technician accepted (functions/emergency/accept.ts) is theirs: they said
  // they are on the way, whatever their shift, time off or territory.
  const acceptedOnCall = dispatch?.acceptedBy === window.technicianId;
  const qualifies =
    technician &&
    ((acceptedOnCall && technician.active) ||
      (isQualified(technician, jobType) &&
        coversPostalCode(technician, booking.request.address.postalCode) &&
        !isOff(technician, window.date) &&
        (afterHours ? isOnCall(tenant, technician.technicianId, window.date) : isOnShift(technician, window.date, window, tenant.timeZone))));

  if (qualifies) {
    // No write here (issue 19): CloseTrail records the technician on the trail and this timeline entry
    // in the trail's one booking write (trail/facts.ts TrailWrite). The later steps decide on these
    // facts instead of reading the booking again.
    const write: TrailWrite = {
      notes: [{ node: 'AssignTechnician', outcome: 'kept', detail: { technicianId: technician.technicianId }, at: at.toISOString() }],
    };
    return { technicianId: technician.technicianId, changed: false, facts: trailFacts(booking, tenant, jobType, technician.technicianId), write };
  }
  try {
    const moved = await rescheduleBooking(
      tenantId,
      bookingId,
      { window: { date: window.date, start: window.start }, reason: 'technician no longer qualifies' },
      'job-trail',
      at,
    );
    const technicianId = moved?.window?.technicianId;
    await updateBooking(tenantId, bookingId, { trail: { ...booking.trail, assignedTechnicianId: technicianId } }, { at });
    await appendTimeline(tenantId, bookingId, 'AssignTechnician', 'reassigned', { from: window.technicianId, to: technicianId }, at);
    return { technicianId, changed: true };
  } catch (error) {
    throw new NoQualifiedTechnicianError(
      `${window.technicianId} no longer qualifies and no one else can take ${window.date} ${window.start}: ${(error as Error).message}`,
    );
  }
});
