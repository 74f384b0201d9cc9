/**
 * Trail node CloseTrail: records the trail on the job, and opens one review item per failed step
 * (and per failed NotifyTeam message, under its own step name) with its reason (a failed step never
 * stopped the others). Once per booking: a run that finds the
 * trail closed (a duplicate Express start that got past AssignTechnician) opens nothing again.
 */
import { requireBookingRecord, updateBooking } from '../booking/store';
import { describeCause, InvariantError, type NodeRaises } from '../shared/errors';
import { openReviewItem } from '../review/store';
import { type WorkflowState, workflowNode } from '../shared/node';
import { now } from '../shared/time';

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
  const booking = await requireBookingRecord(tenantId, bookingId);
  if (booking.trail?.completedAt) return { failedSteps: booking.trail.failedSteps ?? [], alreadyClosed: true };
  const failedSteps = Object.keys(failures);
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
  // One write: the trail's record and its timeline entry.
  await updateBooking(
    tenantId,
    bookingId,
    { trail: { ...booking.trail, completedAt: at.toISOString(), failedSteps } },
    { at, timeline: { node: 'CloseTrail', outcome: failedSteps.length ? 'closed_with_failures' : 'closed', detail: { failedSteps } } },
  );
  return { failedSteps };
});
