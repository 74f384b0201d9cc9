/**
 * Trail node CloseTrail: the trail's one booking write (issue 19: each step wrote its own), and one
 * review item per failed step (and per failed NotifyTeam message, under its own step name) with its
 * reason (a failed step never stopped the others). The write carries what the steps decided (the
 * technician kept, the checklist, the parts: trail/facts.ts TrailWrite), every step's timeline entry
 * and the trail's record, on the condition that the trail is not closed yet: once per booking, so a
 * duplicate Express start that got past AssignTechnician writes and opens nothing again.
 */
import { getBookingRecord, requireBookingRecord } from '../booking/store';
import { describeCause, InvariantError, type NodeRaises } from '../shared/errors';
import { openReviewItem } from '../review/store';
import { type WorkflowState, workflowNode } from '../shared/node';
import { now } from '../shared/time';
import { trailWritesOf } from './facts';
import { closeTrailRecord } from './store';

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = {
  errors: [InvariantError],
  catchAll: 'ReportTrailFailure (TrailExecutionFailed) opens the review item for the booking, then the run fails',
};

export const handler = workflowNode('CloseTrail', async (state) => {
  const { tenantId, bookingId } = state;
  const at = now();
  // The steps' failures (the ASL's Catch) and NotifyTeam's per message (it goes on with the other).
  const failures = { ...state.failures, ...(state.notices as { failures?: WorkflowState['failures'] } | undefined)?.failures };
  const failedSteps = Object.keys(failures);
  const { fields, notes } = trailWritesOf(state);
  const assignedTechnicianId = (state.assignment as { technicianId?: string } | undefined)?.technicianId;
  const close = (earlier: { assignedTechnicianId?: string } | undefined) =>
    closeTrailRecord(tenantId, bookingId, {
      fields,
      trail: { ...earlier, ...(assignedTechnicianId ? { assignedTechnicianId } : {}), completedAt: at.toISOString(), failedSteps },
      notes: [...notes, { node: 'CloseTrail', outcome: failedSteps.length ? 'closed_with_failures' : 'closed', detail: { failedSteps } }],
      at,
    });
  if (!failedSteps.length) {
    // Nothing to review: the conditional write alone (no read). Refused: closed already, or no booking.
    if (await close(undefined)) return { failedSteps };
    const booking = await getBookingRecord(tenantId, bookingId);
    if (!booking) throw new InvariantError(`Booking ${bookingId} does not exist`);
    return { failedSteps: booking.trail?.failedSteps ?? [], alreadyClosed: true };
  }
  // A step failed: the review items open only while the trail is not closed (read first), then the write.
  const booking = await requireBookingRecord(tenantId, bookingId);
  if (booking.trail?.completedAt) return { failedSteps: booking.trail.failedSteps ?? [], alreadyClosed: true };
  for (const [step, failure] of Object.entries(failures)) {
    await openReviewItem(
      tenantId,
      {
        kind: 'workflow_failed',
        reason: `Job trail step ${step} failed (${failure.Error}: ${describeCause(failure.Cause)})`,
        subject: { type: 'booking', id: bookingId },
        payload: { node: step, workflow: 'job-trail', error: failure.Error, cause: describeCause(failure.Cause) },
      },
      at,
    );
  }
  await close(booking.trail);
  return { failedSteps };
});
