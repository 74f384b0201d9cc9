/**
 * What the booking workflow's Catch path does (node RecordReviewItem, review/record-review-item.handler.ts). The booking is never lost: it
 * keeps what was done, gets an honest status, and a review item says which node failed and why.
 * A failed CRM write is the one failure the booking continues past (to CommitSlot). Only a CRM that
 * answered with a refusal (CrmRejectedError) is a refusal: a crm_write_failed item at once, and the
 * booking waits for dispatch (never "confirmed" to the customer). Everything else — the CRM down, a
 * call out of time, the node itself timing out or crashing (States.Timeout, Sandbox.Timedout, middy's early TimeoutError,
 * Lambda.*) — may or may not have reached the CRM: the write goes to the crm-sync outbox, whose
 * retry finds a record the lost attempt made (idempotency key, first-attempt time) instead of
 * making a second; no review item unless the retries run out.
 */
import { appendTimeline, updateBooking } from '../booking/store';
import { enqueueCrmSync } from '../crm/outbox-store';
import { crmSyncSchedule, decideCrmFailure } from '../crm/sync-policy';
import { describeCause } from '../shared/errors';
import type { WorkflowState } from '../shared/node';
import { now } from '../shared/time';
import { openReviewItem } from './store';

/** Records the newest failure of a booking run: the outbox for a CRM write worth retrying, else a review item. */
export async function recordBookingFailure(state: WorkflowState) {
  const { tenantId, bookingId } = state;
  const at = now();
  const failures = state.failures ?? {};
  // The newest failure is the last key: each Catch adds its node under $.failures.
  const failedNode = Object.keys(failures).at(-1) ?? 'unknown';
  const failure = failures[failedNode] ?? { Error: 'Unknown' };
  const cause = describeCause(failure.Cause);
  const detail = `${failure.Error}: ${cause}`;
  const crmFailed = failedNode === 'WriteCrm';
  // The failure crossed a Lambda boundary: only its name is known (crm/sync-policy.ts decides).
  const decision = crmFailed ? decideCrmFailure(failure.Error, { site: 'inline', at, schedule: crmSyncSchedule(undefined) }) : undefined;

  if (decision?.action === 'outbox') {
    // The CRM is down or did not answer in time: keep the booking (CommitSlot makes it
    // pending_crm_sync) and put the write in the outbox. A person hears of it only if the retries run out (CrmSyncWorker opens the item).
    const messageId = await enqueueCrmSync({ tenantId, bookingId, firstError: detail.slice(0, 1_000) }, decision.waitSeconds);
    await updateBooking(tenantId, bookingId, { statusReason: 'crm_unreachable' }, { at });
    await appendTimeline(tenantId, bookingId, failedNode, 'queued_for_crm_sync', { error: failure.Error, messageId }, at);
    return { outbox: 'crm-sync', continueAt: 'CommitSlot', statusReason: 'crm_unreachable' };
  }

  const item = await openReviewItem(
    tenantId,
    {
      kind: crmFailed ? 'crm_write_failed' : 'workflow_failed',
      reason: crmFailed ? `${detail} — the CRM refused the booking` : `${failedNode} failed (${detail})`,
      subject: { type: 'booking', id: bookingId },
      payload: { node: failedNode, error: failure.Error, cause },
      // A refused CRM write can be re-sent through the outbox once a person has fixed the cause.
      ...(crmFailed ? { redrive: { type: 'message' as const, queue: 'crm-sync' as const, body: { tenantId, bookingId } } } : {}),
    },
    at,
  );
  if (crmFailed) {
    await updateBooking(tenantId, bookingId, { statusReason: 'crm_rejected' }, { at });
  } else {
    await updateBooking(
      tenantId,
      bookingId,
      { status: 'pending_confirmation', statusReason: `${failedNode.toLowerCase()}_failed` },
      { onlyFrom: ['received'], at },
    );
  }
  await appendTimeline(tenantId, bookingId, failedNode, 'failed', { error: failure.Error, reviewItemId: item.reviewItemId }, at);
  return { reviewItemId: item.reviewItemId, ...(crmFailed ? { continueAt: 'CommitSlot', statusReason: 'crm_rejected' } : {}) };
}
