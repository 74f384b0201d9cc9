/** Trail node PrepChecklist: the job type's internal prep steps become a checklist on the job. */
import { appendTimeline, requireBookingRecord, updateBooking } from '../booking/store';
import { workflowNode } from '../shared/node';
import { now } from '../shared/time';
import { getJobType } from '../tenant/store';

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
