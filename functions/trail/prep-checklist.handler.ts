/** Trail node PrepChecklist: the job type's internal prep steps become a checklist on the job. */
import { appendTimeline, requireBookingRecord, updateBooking } from '../booking/store';
import { workflowNode, TRAIL_STEP_CATCH } from '../shared/node';
import { now } from '../shared/time';
import { getJobType } from '../tenant/store';
import { InvariantError, type NodeRaises } from '../shared/errors';

/** What this node throws on purpose; its Task in the ASL retries or catches each (test/unit/asl-errors.test.ts). */
export const raises: NodeRaises = { errors: [InvariantError], catchAll: TRAIL_STEP_CATCH };

export const handler = workflowNode('PrepChecklist', async ({ tenantId, bookingId }) => {
  const at = now();
  const booking = await requireBookingRecord(tenantId, bookingId);
  const items = (await getJobType(tenantId, booking.jobTypeId))?.prepChecklist ?? [];
  if (!items.length) {
    await appendTimeline(tenantId, bookingId, 'PrepChecklist', 'none', { reason: 'the job type has no prep checklist' }, at);
    return { items: 0 };
  }
  // Re-entry keeps what was already ticked.
  const done = new Set((booking.checklist ?? []).filter((c) => c.done).map((c) => c.item));
  await updateBooking(tenantId, bookingId, { checklist: items.map((item) => ({ item, done: done.has(item) })) }, { at });
  await appendTimeline(tenantId, bookingId, 'PrepChecklist', 'created', { items: items.length }, at);
  return { items: items.length };
});
