/**
 * Booking node RecordReviewItem: the Catch path of every other node. The booking is never lost: it
 * keeps what was done, gets an honest status, and a review item says which node failed and why.
 * A failed CRM write is the one failure the booking continues past (to CommitSlot).
 */
import { appendTimeline, updateBooking } from '../booking/store';
import { workflowNode } from '../shared/node';
import { now } from '../shared/time';
import { openReviewItem } from './store';

/** Lambda errors arrive with Cause as a JSON string ({errorMessage, errorType, ...}); locally, as text. */
export function describeCause(cause: string | undefined): string {
  if (!cause) return 'no detail';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}

export const handler = workflowNode('RecordReviewItem', async (state) => {
  const { tenantId, bookingId } = state;
  const at = now();
  const failures = state.failures ?? {};
  // The newest failure is the last key: each Catch adds its node under $.failures.
  const failedNode = Object.keys(failures).at(-1) ?? 'unknown';
  const failure = failures[failedNode] ?? { Error: 'Unknown' };
  const detail = `${failure.Error}: ${describeCause(failure.Cause)}`;
  const crmFailed = failedNode === 'WriteCrm';

  const item = await openReviewItem(
    tenantId,
    {
      kind: crmFailed ? 'crm_write_failed' : 'workflow_failed',
      reason: crmFailed ? `The CRM write failed after retries (${detail})` : `${failedNode} failed (${detail})`,
      subject: { type: 'booking', id: bookingId },
      payload: { node: failedNode, error: failure.Error, cause: describeCause(failure.Cause) },
    },
    at,
  );
  if (crmFailed) {
    await updateBooking(tenantId, bookingId, { statusReason: 'crm_unreachable' }, { at });
  } else {
    await updateBooking(
      tenantId,
      bookingId,
      { status: 'pending_confirmation', statusReason: `${failedNode.toLowerCase()}_failed` },
      { onlyFrom: ['received'], at },
    );
  }
  await appendTimeline(tenantId, bookingId, failedNode, 'failed', { error: failure.Error, reviewItemId: item.reviewItemId }, at);
  return { reviewItemId: item.reviewItemId, ...(crmFailed ? { continueAt: 'CommitSlot' } : {}) };
});
